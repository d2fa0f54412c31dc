"""/s/: the customer's survey behind an outlet's QR code (anonymous)."""
from django.urls import path

from . import views_public as views

app_name = "surveys_public"
urlpatterns = [
    path("<str:token>", views.survey, name="survey"),
    path("<str:token>/thanks", views.thanks, name="thanks"),
]
