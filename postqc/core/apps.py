from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "postqc.core"
    label = "core"
    verbose_name = "核心"
