from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "postqc.dashboard"
    label = "dashboard"
    verbose_name = "驾驶舱"

    def ready(self):
        # Each app declares its cockpit KPIs in its own kpis.py (registry.py says how).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("kpis")
