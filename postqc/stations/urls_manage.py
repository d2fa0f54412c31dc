"""/manage/stations/: 邮驿站 — the station list, create / edit, a station, Excel, the usage report."""
from django.urls import path

from . import views

app_name = "stations"
urlpatterns = [
    path("", views.station_list, name="station_list"),
    path("new/", views.station_new, name="station_new"),
    path("import/", views.station_import, name="station_import"),
    path("template/", views.station_template, name="station_template"),
    path("report/", views.report, name="report"),
    path("<str:code>/", views.station_detail, name="station_detail"),
    path("<str:code>/edit/", views.station_edit, name="station_edit"),
    path("<str:code>/status/", views.station_status, name="station_status"),
    path("<str:code>/check/", views.station_check, name="station_check"),
    path("<str:code>/visits/<int:pk>/withdraw/", views.visit_withdraw, name="visit_withdraw"),
]
