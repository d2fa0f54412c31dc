"""/manage/delivery/: 投递质量 compliance, segments, rules, record import."""
from django.urls import path

from . import views

app_name = "delivery"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("segments/", views.segment_list, name="segment_list"),
    path("segments/template/", views.segment_template, name="segment_template"),
    path("segments/new/", views.segment_edit, name="segment_new"),
    path("segments/<str:code>/", views.segment_detail, name="segment_detail"),
    path("segments/<str:code>/edit/", views.segment_edit, name="segment_edit"),
    path("segments/<str:code>/active/", views.segment_active, name="segment_active"),
    path("segments/<str:code>/<str:day>/<int:run_no>/correct/", views.run_correct, name="run_correct"),
    path("segments/<str:code>/<str:day>/<int:run_no>/withdraw/", views.run_withdraw, name="run_withdraw"),
    path("rules/", views.rule_list, name="rules"),
    path("records/import/", views.record_import, name="record_import"),
    path("records/template/", views.record_template, name="record_template"),
]
