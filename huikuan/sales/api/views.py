"""Contracts: row-scoped reads, the balance as of a date, and the money actions on one contract
(refund, area settlement, cancellation), each one call into receivables.services."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from huikuan.core.api.viewsets import ScopedViewSetMixin
from huikuan.receivables import services
from huikuan.receivables.api.serializers import (
    AreaSettlementRequestSerializer,
    AreaSettlementSerializer,
    BalanceQuerySerializer,
    BalanceSerializer,
    CancelContractSerializer,
    CancellationSerializer,
    ReceiptSerializer,
    ReceivableSerializer,
    RefundSerializer,
)
from huikuan.receivables.balances import AMOUNT_NAMES, balance_of
from huikuan.receivables.models import Receipt, Receivable
from huikuan.sales.models import Contract, ContractParty

from .filters import ContractFilter
from .serializers import ContractDetailSerializer, ContractSerializer


class ContractViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Signed contracts (签约) with parties; the detail adds discounts and the plan with what each line owes."""

    queryset = Contract.objects.all()
    filterset_class = ContractFilter
    search_fields = ["contract_no", "parties__customer__name"]
    ordering_fields = ["sign_date", "contract_no", "price", "id"]
    scope_field = "project"
    action_permissions = {
        "refund": "receivables.refund",
        "settle_area": "receivables.settle_area",
        "cancel": "receivables.cancel_contract",
    }

    def base_queryset(self) -> QuerySet:
        # one query for the contracts with project, unit and building joined, one for their parties
        # with the customers joined; detail adds discounts and the plan with what each line still owes
        queryset = Contract.objects.select_related("project", "unit__building")
        if self.action not in ("list", "retrieve"):
            return queryset
        queryset = queryset.prefetch_related(Prefetch("parties", ContractParty.objects.select_related("customer")))
        if self.action == "retrieve":
            plan = Receivable.objects.with_outstanding().order_by("due_date", "pk")
            queryset = queryset.prefetch_related("discounts", Prefetch("receivables", plan))
        return queryset

    def get_serializer_class(self) -> Any:
        return ContractDetailSerializer if self.action == "retrieve" else ContractSerializer

    @extend_schema(parameters=[BalanceQuerySerializer], responses={200: BalanceSerializer})
    @action(detail=True, methods=["get"])
    def balance(self, request: Request, pk: str | None = None) -> Response:
        """Due, received, outstanding, overdue and late fee as of a date (receivables.balances)."""
        contract = self.get_object()
        query = BalanceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of = query.validated_data.get("as_of") or timezone.localdate()
        balance = balance_of(contract, as_of)
        figures = {name: getattr(balance, name) for name in AMOUNT_NAMES}
        return Response(BalanceSerializer({"as_of": as_of, "contract_id": balance.contract_id,
                                           "contract_no": balance.contract_no,
                                           "status": balance.status, **figures}).data)

    @extend_schema(responses={200: ReceivableSerializer(many=True)},
                   parameters=[OpenApiParameter("page", int, exclude=True)])
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def receivables(self, request: Request, pk: str | None = None) -> Response:
        """The contract's receivables (plan lines and later charges) with what each still owes."""
        contract = self.get_object()
        rows = (Receivable.objects.with_outstanding().select_related("contract")
                .filter(contract=contract).order_by("due_date", "pk"))
        return Response(ReceivableSerializer(rows, many=True).data)

    @extend_schema(request=RefundSerializer, responses={201: ReceiptSerializer})
    @action(detail=True, methods=["post"])
    def refund(self, request: Request, pk: str | None = None) -> Response:
        """Pay unallocated credit back to the buyer (a negative receipt)."""
        contract = self.get_object()
        form = RefundSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        receipt = services.refund(actor=request.user, contract=contract, **form.validated_data)
        fresh = Receipt.objects.with_unallocated().select_related("contract").get(pk=receipt.pk)
        return Response(ReceiptSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AreaSettlementRequestSerializer, responses={201: AreaSettlementSerializer})
    @action(detail=True, methods=["post"], url_path="settle-area")
    def settle_area(self, request: Request, pk: str | None = None) -> Response:
        """面积补差: settle the difference between contract and registered area."""
        contract = self.get_object()
        form = AreaSettlementRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        settlement = services.settle_area(actor=request.user, contract=contract, **form.validated_data)
        return Response(AreaSettlementSerializer(settlement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CancelContractSerializer, responses={201: CancellationSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """退房: unwind the contract; what was paid less the deductions is refunded."""
        contract = self.get_object()
        form = CancelContractSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        cancellation = services.cancel_contract(actor=request.user, contract=contract, **form.validated_data)
        return Response(CancellationSerializer(cancellation).data, status=status.HTTP_201_CREATED)
