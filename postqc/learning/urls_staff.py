"""Staff H5 URLs of practice, under /m/learn/ (the 学习 home itself is `staff:learn`, the tab).
Questions, banks and clauses are addressed by their codes."""
from django.urls import path

from . import views_staff as views

app_name = "learning"
urlpatterns = [
    path("practice/<str:mode>/", views.practice_page, name="practice"),
    path("practice/<str:mode>/answer/", views.answer, name="answer"),
    path("questions/<str:code>/favorite/", views.favorite, name="favorite"),
    path("banks/<str:code>/", views.bank_detail, name="bank"),
    path("topics/", views.topics, name="topics"),
    path("topics/<str:code>/", views.topic_chapter, name="topic_chapter"),
    path("wrong/", views.wrong_book, name="wrong_book"),
    path("favorites/", views.favorites, name="favorites"),
]
