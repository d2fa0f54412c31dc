"""/api/v1/delivery: 投递质量."""
from ninja import Router

router = Router(tags=["delivery"])
