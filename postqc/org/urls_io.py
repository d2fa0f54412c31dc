"""/manage/ URLs of the Excel import and export; included by org/urls.py (app_name "org")."""
from django.urls import path

from .views import io

urlpatterns = [
    path("import/", io.import_org, name="import"),
    path("import/template/", io.import_template, name="import_template"),
    path("export/", io.export_org, name="export"),
]
