"""/stations: the public 邮驿站 finder and each station's page (no sign-in)."""
from django.urls import path, re_path

from . import views_public

app_name = "stations_public"
urlpatterns = [
    path("", views_public.finder, name="finder"),
    # Mounted at "stations" (no slash, so /stations itself is the finder): the slash is ours, written
    # as a class so Django's check does not take it for a stray leading slash.
    re_path(r"^[/](?P<code>[A-Za-z0-9][A-Za-z0-9_.-]*)$", views_public.station, name="station"),
]
