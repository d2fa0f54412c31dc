"""/manage/contests/ URLs of the exam engine's manager pages: 竞赛 and 考试 at the top, 模拟考试 under
mock/. Exams are addressed by their codes."""
from django.urls import path

from . import views_competitions as competitions
from . import views_manage as views

app_name = "contests_manage"
urlpatterns = [
    path("", competitions.competition_list, name="competition_list"),
    path("new/", competitions.competition_create, name="competition_create"),
    path("<uuid:code>/", competitions.competition_detail, name="competition_detail"),
    path("<uuid:code>/edit/", competitions.competition_edit, name="competition_edit"),
    path("<uuid:code>/publish/", competitions.competition_publish, name="competition_publish"),
    path("<uuid:code>/archive/", competitions.competition_archive, name="competition_archive"),
    path("<uuid:code>/results/", competitions.competition_results, name="competition_results"),
    path("<uuid:code>/results/export/", competitions.competition_results_export, name="competition_results_export"),
    path("<uuid:code>/certificates/", competitions.competition_certificates, name="competition_certificates"),
    path("<uuid:code>/items/", competitions.competition_items, name="competition_items"),
    path("mock/", views.mock_list, name="mock_list"),
    path("mock/new/", views.mock_create, name="mock_create"),
    path("mock/<uuid:code>/", views.mock_detail, name="mock_detail"),
    path("mock/<uuid:code>/publish/", views.mock_publish, name="mock_publish"),
    path("mock/<uuid:code>/archive/", views.mock_archive, name="mock_archive"),
]
