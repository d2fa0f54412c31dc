"""投递质量: manage pages."""

app_name = "delivery"
urlpatterns: list = []
