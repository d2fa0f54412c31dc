from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "postqc.inspections"
    label = "inspections"
    verbose_name = "网点达标"
