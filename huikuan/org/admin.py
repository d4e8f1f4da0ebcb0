from django.contrib import admin

from .models import Building, Project, Region, SalesTarget, StaffProfile, Unit


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "product_line", "city_zone"]
    list_filter = ["region", "product_line"]
    search_fields = ["code", "name"]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["project", "name"]
    list_filter = ["project"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["__str__", "floor", "pre_sale_area", "surveyed_area", "status"]
    list_filter = ["status", "building__project"]
    search_fields = ["number", "building__name", "building__project__name"]
    list_select_related = ["building__project"]


@admin.register(SalesTarget)
class SalesTargetAdmin(admin.ModelAdmin):
    list_display = ["project", "year", "quarter", "units", "amount_signed", "amount_collected"]
    list_filter = ["year", "quarter"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "all_projects"]
    filter_horizontal = ["regions", "projects"]
