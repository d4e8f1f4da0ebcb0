from __future__ import annotations

from rest_framework import serializers

from huikuan.org.models import Building, Project, Region, Unit


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name"]


class ProjectSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Project
        fields = ["id", "code", "name", "region", "region_name", "product_line", "city_zone", "description"]


class BuildingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Building
        fields = ["id", "project", "name"]


class UnitSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="building.project_id", read_only=True)
    building_name = serializers.CharField(source="building.name", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "project", "building", "building_name", "number", "floor", "pre_sale_area",
                  "surveyed_area", "list_price", "status"]
