from __future__ import annotations

import django_filters

from huikuan.receivables.models import Allocation, LedgerEntry, Receipt, Receivable, Waiver


class ReceivableFilter(django_filters.FilterSet):
    due_date = django_filters.DateFromToRangeFilter(help_text="due_date_after / due_date_before (inclusive)")

    class Meta:
        model = Receivable
        fields = ["contract", "kind", "due_date"]


class ReceiptFilter(django_filters.FilterSet):
    received_on = django_filters.DateFromToRangeFilter(
        help_text="received_on_after / received_on_before (inclusive)")

    class Meta:
        model = Receipt
        fields = ["contract", "method", "source", "received_on"]


class LedgerEntryFilter(django_filters.FilterSet):
    posted_on = django_filters.DateFromToRangeFilter(help_text="posted_on_after / posted_on_before (inclusive)")

    class Meta:
        model = LedgerEntry
        fields = ["contract", "receivable", "receipt", "kind", "posted_on"]


class AllocationFilter(django_filters.FilterSet):
    posted_on = django_filters.DateFromToRangeFilter(help_text="posted_on_after / posted_on_before (inclusive)")

    class Meta:
        model = Allocation
        fields = ["contract", "receivable", "receipt", "posted_on"]


class WaiverFilter(django_filters.FilterSet):
    class Meta:
        model = Waiver
        fields = ["contract", "receivable", "status"]
