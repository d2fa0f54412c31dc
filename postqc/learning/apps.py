from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "postqc.learning"
    label = "learning"
    verbose_name = "学习与题库"
