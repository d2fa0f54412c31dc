"""/manage/learning/ URLs of the question bank; banks and questions are addressed by their codes."""
from django.urls import path

from . import views_manage as views

app_name = "learning_manage"
urlpatterns = [
    path("", views.bank_list, name="bank_list"),
    path("banks/new/", views.bank_create, name="bank_create"),
    path("banks/<str:code>/", views.bank_detail, name="bank_detail"),
    path("banks/<str:code>/edit/", views.bank_edit, name="bank_edit"),
    path("banks/<str:code>/export/", views.bank_export_view, name="bank_export"),
    path("banks/<str:code>/import/", views.bank_import, name="bank_import"),
    path("banks/<str:code>/questions/new/", views.question_create, name="question_create"),
    path("import/template/", views.import_template, name="import_template"),
    path("questions/<str:code>/", views.question_detail, name="question_detail"),
    path("questions/<str:code>/edit/", views.question_edit, name="question_edit"),
    path("questions/<str:code>/publish/", views.question_publish, name="question_publish"),
    path("questions/<str:code>/retire/", views.question_retire, name="question_retire"),
    path("questions/<str:code>/republish/", views.question_republish, name="question_republish"),
    path("review/", views.review_queue, name="review_queue"),
]
