"""/manage/tracking/: 给据邮件跟踪."""
from django.urls import path

from . import views

app_name = "tracking"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("items/", views.item_list, name="item_list"),
    path("items/<str:number>", views.item_detail, name="item_detail"),
    path("exceptions/", views.exception_list, name="exception_list"),
    path("queries/", views.query_list, name="query_list"),
    path("queries/<uuid:code>/", views.query_detail, name="query_detail"),
    path("returns/", views.return_list, name="return_list"),
    path("returns/<int:pk>/destroy/", views.return_destroy, name="return_destroy"),
    path("ingest/", views.ingest, name="ingest"),
    path("ingest/template/", views.ingest_template, name="ingest_template"),
]
