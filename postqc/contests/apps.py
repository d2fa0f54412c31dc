from django.apps import AppConfig


class ContestsConfig(AppConfig):
    name = "postqc.contests"
    label = "contests"
    verbose_name = "竞赛与考试"
