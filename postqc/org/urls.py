"""/manage/ pages of the organisation: the list/detail/edit pages and the Excel import/export."""
from . import urls_io, urls_manage

app_name = "org"
urlpatterns = urls_manage.urlpatterns + urls_io.urlpatterns
