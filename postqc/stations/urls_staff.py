"""/m/stations/: 服务台账 on the phone."""
from django.urls import path

from . import views_staff

app_name = "stations_staff"
urlpatterns = [
    path("", views_staff.station_list, name="list"),
    path("<str:code>/", views_staff.log, name="log"),
    path("<str:code>/check/", views_staff.check, name="check"),
    path("<str:code>/visits/<int:pk>/withdraw/", views_staff.withdraw, name="withdraw"),
]
