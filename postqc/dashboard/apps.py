from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "postqc.dashboard"
    label = "dashboard"
    verbose_name = "驾驶舱"
