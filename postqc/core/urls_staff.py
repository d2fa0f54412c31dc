from django.urls import path

from postqc.contests import views_staff as contests_views
from postqc.learning import views_staff as learning_views

from . import views

app_name = "staff"
urlpatterns = [
    path("", views.staff_home, name="home"),
    path("learn/", learning_views.home, name="learn"),
    path("contests/", contests_views.contest_list, name="contests"),
    path("me/", views.staff_me, name="me"),
]
