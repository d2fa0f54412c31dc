"""Staff H5 URLs of the standards library, under /m/standards/. Clauses are addressed by their stable codes."""
from django.urls import path

from .views import staff

app_name = "standards"
urlpatterns = [
    path("", staff.standard_list, name="list"),
    path("search", staff.search, name="search"),
    path("clause/<str:code>/", staff.clause_detail, name="clause"),
    path("<str:code>/", staff.standard_detail, name="detail"),
]
