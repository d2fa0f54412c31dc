"""邮驿站: manage pages."""

app_name = "stations"
urlpatterns: list = []
