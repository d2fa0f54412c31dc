"""Manager pages of the learning statistics, under /manage/learning/stats/ (every page takes ?unit=<code>,
a unit of the manager's subtree, and ?format=xlsx for its table as Excel)."""
from django.urls import path

from . import views_stats as views

app_name = "learning_stats"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("clauses/", views.weakest, name="weakest"),
    path("recall/", views.recall, name="recall"),
    path("items/", views.items, name="items"),
    path("items/<str:code>/", views.item_bank, name="item_bank"),
]
