from django.urls import path

from . import views_jobs

app_name = "jobs"
urlpatterns = [
    path("<uuid:code>/", views_jobs.job_detail, name="detail"),
]
