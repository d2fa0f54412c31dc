"""邮驿站: public pages."""

app_name = "stations_public"
urlpatterns: list = []
