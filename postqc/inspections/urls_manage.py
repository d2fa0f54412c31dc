"""/manage/inspections/: 达标率, inspections, checklists, 设施设备 (facilities), 整改 (findings), 通报 (bulletins),
奖惩 (the ledger)."""
from django.urls import path

from . import views, views_accountability, views_facilities

app_name = "inspections"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("list/", views.inspection_list, name="inspection_list"),
    path("priorities/", views.priorities, name="priorities"),
    path("new/", views.inspection_new, name="inspection_new"),
    path("checklists/", views.checklist_list, name="checklist_list"),
    path("checklists/template/", views.checklist_template, name="checklist_template"),
    path("checklists/<str:code>/", views.checklist_detail, name="checklist_detail"),
    path("checklists/<str:code>/<int:number>/publish/", views.checklist_publish, name="checklist_publish"),
    path("checklists/<str:code>/<int:number>/export/", views.checklist_export, name="checklist_export"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/<uuid:code>/", views.finding_detail, name="finding_detail"),
    path("bulletins/", views_accountability.bulletin_list, name="bulletin_list"),
    path("bulletins/new/", views_accountability.bulletin_new, name="bulletin_new"),
    path("bulletins/<uuid:code>/", views_accountability.bulletin_detail, name="bulletin_detail"),
    path("bulletins/<uuid:code>/edit/", views_accountability.bulletin_edit, name="bulletin_edit"),
    path("facilities/", views_facilities.register, name="facilities"),
    path("facilities/import/", views_facilities.facility_import, name="facility_import"),
    path("facilities/template/", views_facilities.facility_template, name="facility_template"),
    path("facilities/<str:code>/", views_facilities.outlet_facilities, name="facility_outlet"),
    path("ledger/", views_accountability.ledger, name="ledger"),
    path("ledger/import/", views_accountability.ledger_import, name="ledger_import"),
    path("ledger/template/", views_accountability.ledger_template, name="ledger_template"),
    path("ledger/<uuid:code>/reverse/", views_accountability.ledger_reverse, name="ledger_reverse"),
    path("<uuid:code>/", views.inspection_detail, name="inspection_detail"),
]
