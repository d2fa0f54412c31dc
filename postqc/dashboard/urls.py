from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("targets/", views.target_edit, name="targets"),
    path("targets/import/", views.target_import, name="target_import"),
]
