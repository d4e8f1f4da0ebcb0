"""Ledger endpoints. Reads are row-scoped (through the contract's project); every write is one
service call from receivables.services, with its own permission."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from huikuan.core.api.viewsets import ScopedViewSetMixin
from huikuan.receivables import services
from huikuan.receivables.choices import EntryKind
from huikuan.receivables.models import Allocation, LedgerEntry, Receipt, Receivable, Waiver

from .filters import AllocationFilter, LedgerEntryFilter, ReceiptFilter, ReceivableFilter, WaiverFilter
from .serializers import (
    AllocateSerializer,
    AllocationSerializer,
    LedgerEntrySerializer,
    ReceiptCreateSerializer,
    ReceiptDetailSerializer,
    ReceiptSerializer,
    ReceivableSerializer,
    ReverseAllocationSerializer,
    WaiverDecisionSerializer,
    WaiverRequestSerializer,
    WaiverSerializer,
)

CONTRACT_PROJECT = "contract__project"


class ReceivableViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Charges (plan lines, late fees, area adjustments) with what each still owes."""

    queryset = Receivable.objects.all()
    serializer_class = ReceivableSerializer
    filterset_class = ReceivableFilter
    ordering_fields = ["due_date", "amount", "id"]
    scope_field = CONTRACT_PROJECT

    def base_queryset(self) -> QuerySet:
        # the outstanding amount is one correlated subquery, so the list stays one query
        return Receivable.objects.with_outstanding().select_related("contract")


class ReceiptViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Money that arrived (negative: refunds), with what is still unallocated."""

    queryset = Receipt.objects.all()
    filterset_class = ReceiptFilter
    search_fields = ["number", "reference", "payer_name"]
    ordering_fields = ["received_on", "amount", "id"]
    scope_field = CONTRACT_PROJECT
    action_permissions = {"create": "receivables.add_receipt", "allocate": "receivables.allocate"}

    def base_queryset(self) -> QuerySet:
        queryset = Receipt.objects.with_unallocated().select_related("contract")
        if self.action != "list":
            allocations = LedgerEntry.objects.filter(kind=EntryKind.ALLOCATION).select_related(
                "receivable", "reversed_by").order_by("pk")
            queryset = queryset.prefetch_related(Prefetch("entries", allocations, to_attr="allocation_entries"))
        return queryset

    def get_serializer_class(self) -> Any:
        return ReceiptSerializer if self.action == "list" else ReceiptDetailSerializer

    def _detail(self, receipt: Receipt, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=receipt.pk)
        return Response(ReceiptDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=ReceiptCreateSerializer, responses={201: ReceiptDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Post a receipt on a contract; with `allocate` (default) it is applied oldest-due first."""
        form = ReceiptCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if data["allocate"] and not request.user.has_perm("receivables.allocate"):
            self.permission_denied(request, message="You may post receipts but not allocate them.")
        receipt = services.post_receipt(actor=request.user, **data)
        return self._detail(receipt, status.HTTP_201_CREATED)

    @extend_schema(request=AllocateSerializer, responses={200: ReceiptDetailSerializer})
    @action(detail=True, methods=["post"])
    def allocate(self, request: Request, pk: str | None = None) -> Response:
        """Allocate the receipt to the receivables named, or oldest-due first when `targets` is absent."""
        receipt = self.get_object()
        form = AllocateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        targets = form.validated_data.get("targets")
        if targets is not None:
            targets = [services.Target(t["receivable"].pk, t["amount"]) for t in targets]
        services.allocate_receipt(actor=request.user, receipt=receipt, targets=targets)
        return self._detail(receipt)


class AllocationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """核销: allocation entries (a reversal is an allocation entry with a positive amount)."""

    queryset = Allocation.objects.all()
    serializer_class = AllocationSerializer
    filterset_class = AllocationFilter
    ordering_fields = ["posted_on", "id"]
    scope_field = CONTRACT_PROJECT
    action_permissions = {"reverse": "receivables.allocate"}

    def base_queryset(self) -> QuerySet:
        return Allocation.objects.select_related("receivable", "reversed_by")

    @extend_schema(request=ReverseAllocationSerializer, responses={201: AllocationSerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: str | None = None) -> Response:
        """Undo an allocation with a reversing entry; the money goes back to the receipt's credit."""
        entry = self.get_object()
        form = ReverseAllocationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        reversal = services.unallocate(actor=request.user, entry=entry, reason=form.validated_data["reason"])
        fresh = self.get_queryset().get(pk=reversal.pk)
        return Response(AllocationSerializer(fresh).data, status=status.HTTP_201_CREATED)


class LedgerEntryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Every immutable movement on the receivables: allocations, late fees, waivers, adjustments."""

    queryset = LedgerEntry.objects.all()
    serializer_class = LedgerEntrySerializer
    filterset_class = LedgerEntryFilter
    ordering_fields = ["posted_on", "id"]
    scope_field = CONTRACT_PROJECT


class WaiverViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    mixins.CreateModelMixin, viewsets.GenericViewSet):
    """减免: requested by one person, approved or rejected by another."""

    queryset = Waiver.objects.all()
    serializer_class = WaiverSerializer
    filterset_class = WaiverFilter
    ordering_fields = ["requested_at", "id"]
    scope_field = CONTRACT_PROJECT
    action_permissions = {
        "create": "receivables.request_waiver",
        "approve": "receivables.approve_waiver",
        "reject": "receivables.approve_waiver",
    }

    @extend_schema(request=WaiverRequestSerializer, responses={201: WaiverSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = WaiverRequestSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        waiver = services.request_waiver(actor=request.user, **form.validated_data)
        return Response(WaiverSerializer(waiver).data, status=status.HTTP_201_CREATED)

    def _decide(self, request: Request, approve: bool) -> Response:
        waiver = self.get_object()
        form = WaiverDecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        decided = services.decide_waiver(actor=request.user, waiver=waiver, approve=approve,
                                         note=form.validated_data["note"])
        return Response(WaiverSerializer(decided).data)

    @extend_schema(request=WaiverDecisionSerializer, responses={200: WaiverSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve: posts the waiver entry. The approver must not be the requester."""
        return self._decide(request, approve=True)

    @extend_schema(request=WaiverDecisionSerializer, responses={200: WaiverSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, approve=False)
