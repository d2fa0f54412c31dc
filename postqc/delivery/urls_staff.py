"""/m/delivery/: a courier logs a delivery run on the phone."""
from django.urls import path

from . import views

app_name = "delivery_staff"
urlpatterns = [
    path("", views.log_run, name="log"),
    path("runs/<int:pk>/correct/", views.correct_own_run, name="correct"),
    path("runs/<int:pk>/withdraw/", views.withdraw_own_run, name="withdraw"),
]
