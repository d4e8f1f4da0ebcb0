"""The site's URLs plus the reports app's new pages, until huikuan/web_urls.py and api_urls.py include them."""

from django.urls import include, path

from huikuan.reports.api import KpisView
from huikuan.urls import urlpatterns as site

urlpatterns = [
    path("reports/", include("huikuan.reports.web_urls")),
    path("api/reports/kpis/", KpisView.as_view(), name="api-kpis"),
    *site,
]
