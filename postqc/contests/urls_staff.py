"""Staff H5 URLs of the exam engine, under /m/: 模拟考试 (/m/mock/), competitions (/m/contests/<code>/;
the 竞赛 tab itself is `staff:contests`) and the attempt pages every kind shares (/m/attempts/).
Exams and attempts are addressed by their codes (UUIDs)."""
from django.urls import path

from . import views_staff as views

app_name = "contests"
urlpatterns = [
    path("mock/", views.mock_list, name="mock_list"),
    path("mock/<uuid:code>/start/", views.exam_start, name="mock_start"),
    path("contests/<uuid:code>/", views.contest_detail, name="contest"),
    path("contests/<uuid:code>/start/", views.exam_start, name="contest_start"),
    path("contests/<uuid:code>/certificate/", views.my_certificate, name="my_certificate"),
    path("attempts/<uuid:code>/", views.attempt_page, name="attempt"),
    path("attempts/<uuid:code>/items/<int:position>/", views.attempt_answer, name="attempt_answer"),
    path("attempts/<uuid:code>/submit/", views.attempt_submit, name="attempt_submit"),
    path("attempts/<uuid:code>/result/", views.attempt_result, name="result"),
]
