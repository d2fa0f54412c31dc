"""Manager URLs of the standards library, under /manage/standards/; versions are addressed by their labels."""
from django.urls import path

from .views import manage

app_name = "standards_manage"
urlpatterns = [
    path("", manage.standard_list, name="standard_list"),
    path("upload/", manage.standard_upload, name="upload"),
    path("template.xlsx", manage.excel_template, name="excel_template"),
    path("<str:code>/", manage.standard_detail, name="standard_detail"),
    path("<str:code>/v/<str:label>/", manage.version_detail, name="version_detail"),
    path("<str:code>/v/<str:label>/diff/", manage.version_diff, name="version_diff"),
    path("<str:code>/v/<str:label>/publish/", manage.version_publish, name="version_publish"),
    path("<str:code>/v/<str:label>/delete/", manage.version_delete, name="version_delete"),
]
