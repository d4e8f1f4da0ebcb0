"""Router registrations for huikuan/api_urls.py (the lead adds `register_routes(router)` there)."""

from __future__ import annotations

from typing import Any

from .views import ActionViewSet, CaseViewSet, DisputeViewSet, PromiseViewSet, RestructuringViewSet


def register_routes(router: Any) -> None:
    router.register("dunning/cases", CaseViewSet, basename="dunning-case")
    router.register("dunning/actions", ActionViewSet, basename="dunning-action")
    router.register("dunning/promises", PromiseViewSet, basename="dunning-promise")
    router.register("dunning/disputes", DisputeViewSet, basename="dunning-dispute")
    router.register("dunning/restructurings", RestructuringViewSet, basename="dunning-restructuring")
