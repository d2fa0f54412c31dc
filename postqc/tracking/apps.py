from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "postqc.tracking"
    label = "tracking"
    verbose_name = "给据邮件跟踪"
