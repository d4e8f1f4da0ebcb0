from django.contrib import admin

from .models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "masked_id", "phone", "customer_type", "is_vip", "advisor"]
    list_filter = ["kind", "customer_type", "is_vip"]
    search_fields = ["name", "phone"]
