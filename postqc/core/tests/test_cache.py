from django.core.cache import cache, caches

from postqc.conftest import needs_redis
from postqc.core.cache import PostQCRedisCache


@needs_redis()
def test_the_redis_cache_reuses_one_client_per_pool_and_works():
    assert isinstance(caches["default"], PostQCRedisCache)
    client = caches["default"]._cache
    assert client.get_client("a") is client.get_client("b") is client.get_client("c", write=True)
    cache.set("postqc:test:cache", {"n": 1}, 30)
    assert cache.get("postqc:test:cache") == {"n": 1}
    assert cache.get_many(["postqc:test:cache", "postqc:test:none"]) == {"postqc:test:cache": {"n": 1}}
    cache.delete("postqc:test:cache")
    assert cache.get("postqc:test:cache") is None
