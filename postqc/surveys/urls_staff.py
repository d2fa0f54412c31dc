"""/m/survey/: interviewer mode on the staff H5. Surveys and outlets are addressed by their codes."""
from django.urls import path

from . import views_staff as views

app_name = "surveys"
urlpatterns = [
    path("", views.home, name="home"),
    path("<str:code>/done/<uuid:response>/", views.done, name="done"),
    path("<str:code>/<str:outlet>/", views.fill, name="fill"),
]
