from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("huikuan.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("huikuan.web_urls")),
]
