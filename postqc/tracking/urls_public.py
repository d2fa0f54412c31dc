"""给据邮件跟踪: public pages."""

app_name = "tracking_public"
urlpatterns: list = []
