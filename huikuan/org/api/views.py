from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from huikuan.core.api.viewsets import ScopedViewSetMixin
from huikuan.org.models import Building, Project, Region, Unit
from huikuan.org.scope import visible_project_ids

from .serializers import BuildingSerializer, ProjectSerializer, RegionSerializer, UnitSerializer


class RegionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Regions that hold at least one project the user may see."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    scope_field = None

    def get_queryset(self) -> QuerySet:
        ids = visible_project_ids(self.request.user)
        if ids is None:
            return Region.objects.all()
        return Region.objects.filter(pk__in=Project.objects.filter(pk__in=ids).values("region_id"))


class ProjectViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Projects (楼盘) the user is assigned to, directly or through a region."""

    queryset = Project.objects.select_related("region")
    serializer_class = ProjectSerializer
    filterset_fields = ["region", "product_line"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    scope_field = "pk"


class BuildingViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Buildings (楼栋) of the projects the user may see."""

    queryset = Building.objects.all()
    serializer_class = BuildingSerializer
    filterset_fields = ["project"]
    search_fields = ["name"]
    ordering_fields = ["name"]


class UnitViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Units (房源) with pre-sale and surveyed area, of the projects the user may see."""

    queryset = Unit.objects.select_related("building")
    serializer_class = UnitSerializer
    filterset_fields = ["building", "building__project", "status"]
    search_fields = ["number"]
    ordering_fields = ["number", "floor"]
    scope_field = "building__project"
