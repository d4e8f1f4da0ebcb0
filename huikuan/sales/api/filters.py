from __future__ import annotations

import django_filters

from huikuan.sales.models import Contract


class ContractFilter(django_filters.FilterSet):
    sign_date = django_filters.DateFromToRangeFilter(help_text="sign_date_after / sign_date_before (inclusive)")

    class Meta:
        model = Contract
        fields = ["project", "status", "payment_method", "sign_date"]
