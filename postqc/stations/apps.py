from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "postqc.stations"
    label = "stations"
    verbose_name = "邮驿站"
