from postqc.tracking.models import ItemReturn, TrackedItem

from .conftest import num, story


def test_story(org, ingest):
    report = ingest(*story(num(1)))
    assert report.ok, report.errors
    item = TrackedItem.objects.get()
    assert item.status == "returned"
    assert ItemReturn.objects.get().back_to_sender_at is not None
