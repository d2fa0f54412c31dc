"""URLs of the boards and the integrity review. Two namespaces, mounted by postqc/urls.py:

- `contest_boards` at /m/contests/boards/: the staff board of a competition (H5);
- `contest_boards_manage` at /manage/contests/boards/: the big screen and the review list.

Exams and attempts are addressed by their codes (UUIDs); a flag by its attempt and kind.
"""
from django.urls import path

from . import views_boards as views

staff_patterns = ([
    path("<uuid:code>/", views.board, name="board"),
], "contest_boards")

manage_patterns = ([
    path("review/", views.review_all, name="review_all"),
    path("<uuid:code>/screen/", views.screen, name="screen"),
    path("<uuid:code>/screen/live/", views.screen_live, name="screen_live"),
    path("<uuid:code>/review/", views.review, name="review"),
    path("<uuid:code>/review/<uuid:attempt>/<str:kind>/", views.review_decide, name="review_decide"),
], "contest_boards_manage")
