"""给据邮件跟踪: manage pages."""

app_name = "tracking"
urlpatterns: list = []
