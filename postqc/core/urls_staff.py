from django.urls import path

from . import views

app_name = "staff"
urlpatterns = [
    path("", views.staff_home, name="home"),
    path("learn/", views.staff_learn, name="learn"),
    path("contests/", views.staff_contests, name="contests"),
    path("me/", views.staff_me, name="me"),
]
