"""/manage/inspections/: 达标率, inspections, checklists."""
from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("list/", views.inspection_list, name="inspection_list"),
    path("new/", views.inspection_new, name="inspection_new"),
    path("checklists/", views.checklist_list, name="checklist_list"),
    path("checklists/template/", views.checklist_template, name="checklist_template"),
    path("checklists/<str:code>/", views.checklist_detail, name="checklist_detail"),
    path("checklists/<str:code>/<int:number>/publish/", views.checklist_publish, name="checklist_publish"),
    path("checklists/<str:code>/<int:number>/export/", views.checklist_export, name="checklist_export"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/<uuid:code>/", views.finding_detail, name="finding_detail"),
    path("<uuid:code>/", views.inspection_detail, name="inspection_detail"),
]
