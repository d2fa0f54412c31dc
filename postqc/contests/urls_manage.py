"""/manage/contests/ URLs of the exam engine's manager pages; exams are addressed by their codes."""
from django.urls import path

from . import views_manage as views

app_name = "contests_manage"
urlpatterns = [
    path("mock/", views.mock_list, name="mock_list"),
    path("mock/new/", views.mock_create, name="mock_create"),
    path("mock/<uuid:code>/", views.mock_detail, name="mock_detail"),
    path("mock/<uuid:code>/publish/", views.mock_publish, name="mock_publish"),
    path("mock/<uuid:code>/archive/", views.mock_archive, name="mock_archive"),
]
