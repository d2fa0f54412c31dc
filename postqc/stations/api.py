"""/api/v1/stations: 邮驿站."""
from ninja import Router

router = Router(tags=["stations"])
