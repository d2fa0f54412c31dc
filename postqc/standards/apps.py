from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "postqc.standards"
    label = "standards"
    verbose_name = "制度标准库"
