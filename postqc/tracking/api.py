"""/api/v1/tracking: 给据邮件跟踪."""
from ninja import Router

router = Router(tags=["tracking"])
