"""/manage/surveys/: questionnaires, the sample plan, responses and review, paper import, the
index reports, and the outlets' QR posters. Surveys are addressed by their codes."""
from django.urls import path

from .views_manage import plan, posters, reports, responses, surveys

app_name = "surveys_manage"
urlpatterns = [
    path("", surveys.survey_list, name="survey_list"),
    path("new/", surveys.survey_create, name="survey_create"),
    path("copy/", surveys.survey_copy, name="survey_copy"),
    path("posters/", posters.poster_list, name="poster_list"),
    path("posters/unit/<str:unit>/", posters.unit_posters, name="unit_posters"),
    path("posters/<str:outlet>/", posters.poster, name="poster"),
    path("<str:code>/", surveys.survey_detail, name="survey_detail"),
    path("<str:code>/edit/", surveys.survey_edit, name="survey_edit"),
    path("<str:code>/weights/", surveys.survey_weights, name="survey_weights"),
    path("<str:code>/start/", surveys.survey_start, name="survey_start"),
    path("<str:code>/close/", surveys.survey_close, name="survey_close"),
    path("<str:code>/plan/", plan.plan, name="plan"),
    path("<str:code>/plan/save/", plan.plan_save, name="plan_save"),
    path("<str:code>/plan/default/", plan.plan_default, name="plan_default"),
    path("<str:code>/responses/", responses.response_list, name="response_list"),
    path("<str:code>/responses/export/", responses.response_export, name="response_export"),
    path("<str:code>/responses/<uuid:response>/", responses.response_detail, name="response_detail"),
    path("<str:code>/responses/<uuid:response>/review/", responses.response_review, name="response_review"),
    path("<str:code>/review/", responses.review_queue, name="review_queue"),
    path("<str:code>/import/", responses.response_import, name="response_import"),
    path("<str:code>/import/template/", responses.import_template, name="import_template"),
    path("<str:code>/report/", reports.report, name="report"),
    path("<str:code>/report/export/", reports.report_export, name="report_export"),
]
