"""The person's own learning statistics on the phone, under /m/learn/stats/."""
from django.urls import path

from . import views_stats as views

app_name = "learning_stats_staff"
urlpatterns = [
    path("", views.mine, name="mine"),
]
