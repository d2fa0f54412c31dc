from django.contrib import admin
from django.urls import include, path

from postqc.api.api import api
from postqc.contests import urls_boards as contest_boards
from postqc.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    # First after the probe: the API takes the busiest requests (practice and competition answers),
    # and Django tries these patterns in order for every request.
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("postqc.org.urls_auth")),
    path("m/", include("postqc.core.urls_staff")),
    path("m/standards/", include("postqc.standards.urls_staff")),
    path("m/contests/boards/", include(contest_boards.staff_patterns)),
    path("m/", include("postqc.contests.urls_staff")),
    path("m/learn/stats/", include("postqc.learning.urls_stats_staff")),
    path("m/learn/", include("postqc.learning.urls_staff")),
    path("m/survey/", include("postqc.surveys.urls_staff")),
    path("m/inspect/", include("postqc.inspections.urls_staff")),
    path("m/delivery/", include("postqc.delivery.urls_staff")),
    path("m/stations/", include("postqc.stations.urls_staff")),
    path("s/", include("postqc.surveys.urls_public")),
    path("track", include("postqc.tracking.urls_public")),
    path("stations", include("postqc.stations.urls_public")),
    path("manage/", include("postqc.dashboard.urls")),
    path("manage/", include("postqc.org.urls")),
    path("manage/jobs/", include("postqc.core.urls_jobs")),
    path("manage/standards/", include("postqc.standards.urls_manage")),
    path("manage/learning/stats/", include("postqc.learning.urls_stats")),
    path("manage/learning/", include("postqc.learning.urls_manage")),
    path("manage/contests/boards/", include(contest_boards.manage_patterns)),
    path("manage/contests/", include("postqc.contests.urls_manage")),
    path("manage/surveys/", include("postqc.surveys.urls_manage")),
    path("manage/inspections/", include("postqc.inspections.urls_manage")),
    path("manage/delivery/", include("postqc.delivery.urls_manage")),
    path("manage/tracking/", include("postqc.tracking.urls_manage")),
    path("manage/stations/", include("postqc.stations.urls_manage")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "PostQC 系统管理"
admin.site.site_title = "PostQC"
