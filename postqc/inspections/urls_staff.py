"""/m/inspect/: 自查 (self-inspection) on the phone."""
from django.urls import path

from . import views, views_accountability

app_name = "inspections_staff"
urlpatterns = [
    path("", views.self_list, name="self_list"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/<uuid:code>/", views.my_task, name="my_task"),
    path("bulletins/", views_accountability.my_bulletins, name="my_bulletins"),
    path("bulletins/<uuid:code>/", views_accountability.my_bulletin, name="my_bulletin"),
    path("ledger/", views_accountability.my_ledger, name="my_ledger"),
    path("<str:outlet>/new/", views.self_new, name="self_new"),
    path("done/<uuid:code>/", views.self_result, name="self_result"),
]
