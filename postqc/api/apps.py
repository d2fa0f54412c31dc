from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "postqc.api"
    label = "api"
    verbose_name = "API"
