from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "postqc.delivery"
    label = "delivery"
    verbose_name = "投递质量"
