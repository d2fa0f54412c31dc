"""The Redis cache backend PostQC runs on: Django's, with one redis client per connection pool.

Django's RedisCacheClient makes a new `redis.Redis` for every cache call, and redis-py's
constructor copies its whole table of reply callbacks each time: about a tenth of an API
request's CPU on the answer hot paths. A `redis.Redis` is safe to share between threads (each
command takes a connection from the pool), so one per pool is kept and reused.
"""
from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PostQCRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
