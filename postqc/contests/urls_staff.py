"""Staff H5 URLs of 模拟考试, under /m/mock/. Exams and attempts are addressed by their codes (UUIDs)."""
from django.urls import path

from . import views_staff as views

app_name = "contests"
urlpatterns = [
    path("", views.mock_list, name="mock_list"),
    path("<uuid:code>/start/", views.mock_start, name="mock_start"),
    path("attempts/<uuid:code>/", views.attempt_page, name="attempt"),
    path("attempts/<uuid:code>/items/<int:position>/", views.attempt_answer, name="attempt_answer"),
    path("attempts/<uuid:code>/submit/", views.attempt_submit, name="attempt_submit"),
    path("attempts/<uuid:code>/result/", views.attempt_result, name="result"),
]
