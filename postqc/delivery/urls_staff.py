"""投递质量: staff pages."""

app_name = "delivery_staff"
urlpatterns: list = []
