"""Banking endpoints: accounts, statements (upload → import job), transactions, matches and the review
decisions. Visible to finance, managers and auditors; rows narrowed by account project and by the
contract a match pays (`huikuan.banking.querysets`). Every write is one call into banking.services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from huikuan.banking.account_numbers import canonical_account_no
from huikuan.banking.choices import ExceptionKind, MatchStatus
from huikuan.banking.models import BankAccount, BankTransaction, ImportJob, Match, MatchLine, Statement
from huikuan.banking.querysets import sees_bank_accounts
from huikuan.banking.services import review
from huikuan.banking.services.disbursements import place_by_list
from huikuan.banking.services.jobs import preview_of, queue_import, retry_with_mapping
from huikuan.banking.statements import ColumnMapping, StatementError, guess_mapping
from huikuan.banking.statements.values import clean
from huikuan.core.api.viewsets import ScopedViewSetMixin, ServiceRefused
from huikuan.receivables.models import Receivable

from .serializers import (
    BankAccountSerializer,
    BankTransactionSerializer,
    DecisionSerializer,
    DisbursementListSerializer,
    ImportJobSerializer,
    ImportPreviewSerializer,
    ImportRetrySerializer,
    MatchSerializer,
    SplitSerializer,
    StatementSerializer,
    StatementUploadSerializer,
    UnmatchSerializer,
    WriteOffSerializer,
)

MAX_UPLOAD = 50 * 1024 * 1024


class SeesBankAccounts(BasePermission):
    message = "Bank accounts are visible to finance, managers and auditors."

    def has_permission(self, request: Any, view: Any) -> bool:
        return sees_bank_accounts(request.user)


class BankingViewSetMixin(ScopedViewSetMixin):
    scope_field = None   # narrowed by `visible_to` in base_queryset instead
    permission_classes: Sequence[Any] = (*ScopedViewSetMixin.permission_classes, SeesBankAccounts)

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, StatementError):
            exc = ServiceRefused(str(exc))
        return super().handle_exception(exc)


class BankAccountViewSet(BankingViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """收款账户 and escrow (预售资金监管) accounts."""

    queryset = BankAccount.objects.all()
    serializer_class = BankAccountSerializer
    search_fields = ["account_no", "name"]

    def base_queryset(self) -> QuerySet:
        return BankAccount.objects.visible_to(self.request.user).select_related("bank", "project")


class StatementViewSet(BankingViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Imported statements; `upload` queues an import job."""

    queryset = Statement.objects.all()
    serializer_class = StatementSerializer
    filterset_fields = ["account", "status"]
    action_permissions = {"upload": "banking.import_statement"}

    def base_queryset(self) -> QuerySet:
        visible = BankAccount.objects.visible_to(self.request.user)
        return Statement.objects.filter(account__in=visible).select_related("account")

    @extend_schema(request={"multipart/form-data": StatementUploadSerializer}, responses={202: ImportJobSerializer})
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def upload(self, request: Request) -> Response:
        """Upload a statement file; the import (and auto-matching) runs as a job — poll /import-jobs/{id}/."""
        form = StatementUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError({"file": f"the file is above the {MAX_UPLOAD // 2**20} MB limit"})
        raw = form.validated_data.get("mapping")
        mapping = ColumnMapping.from_dict(raw) if raw else None
        job = queue_import(actor=request.user, data=upload.read(), filename=upload.name,
                           account_no=form.validated_data["account_no"], mapping=mapping)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportJobViewSet(BankingViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Statement imports in the background, with their progress. A failed import of a table whose columns detection
    could not tell: `preview` gives its first lines, `retry` imports it again with a column mapping."""

    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer
    action_permissions = {"retry": "banking.import_statement", "preview": "banking.import_statement"}

    @extend_schema(responses={200: ImportPreviewSerializer})
    @action(detail=True, methods=["get"])
    def preview(self, request: Request, pk: str | None = None) -> Response:
        """The failed import's first lines as a mapping reads them, and what detection recognised of them."""
        rows = preview_of(self.get_object())
        header_line, columns = guess_mapping(rows)
        return Response(ImportPreviewSerializer({
            "lines": [{"line": r.line_no, "cells": [clean(c) for c in r.cells]} for r in rows],
            "header_line": header_line, "columns": {str(i): field for i, field in columns.items()}}).data)

    @extend_schema(request=ImportRetrySerializer, responses={202: ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        """Import a failed job's file again with a column mapping (tried on its first lines first; kept on the
        account when the import succeeds)."""
        form = ImportRetrySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            mapping = ColumnMapping.from_dict(form.validated_data["mapping"])
        except StatementError as exc:
            raise ValidationError({"mapping": str(exc)})
        job = retry_with_mapping(actor=request.user, job=self.get_object(), mapping=mapping)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    def base_queryset(self) -> QuerySet:
        visible = BankAccount.objects.visible_to(self.request.user).values_list("account_no", flat=True)
        mine = ImportJob.objects.filter(created_by=self.request.user)
        return (ImportJob.objects.filter(account_no__in=visible) | mine).distinct()


class TransactionFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    account_no = django_filters.CharFilter(method="by_account_no")

    class Meta:
        model = BankTransaction
        fields = ["account", "statement", "direction", "needs_review"]

    def by_account_no(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(account__account_no=canonical_account_no(value))  # however the number is written


class BankTransactionViewSet(BankingViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """银行流水: statement lines as imported (never edited)."""

    queryset = BankTransaction.objects.all()
    serializer_class = BankTransactionSerializer
    filterset_class = TransactionFilter
    search_fields = ["counterparty", "memo", "bank_ref", "counterparty_account"]
    ordering_fields = ["date", "amount", "id"]
    action_permissions = {"disbursement_list": "banking.review_match"}

    def base_queryset(self) -> QuerySet:
        return BankTransaction.objects.visible_to(self.request.user).select_related("account")

    @extend_schema(request={"multipart/form-data": DisbursementListSerializer}, responses={200: MatchSerializer})
    @action(detail=True, methods=["post"], url_path="disbursement-list",
            parser_classes=[MultiPartParser, FormParser])
    def disbursement_list(self, request: Request, pk: str | None = None) -> Response:
        """A bank's list of the buyers this batch transfer pays (放款清单: CSV, XLS or XLSX): stored and matched —
        each row's loan line paid from the transfer; a list that does not add up waits for a person."""
        txn = self.get_object()
        form = DisbursementListSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError({"file": f"the file is above the {MAX_UPLOAD // 2**20} MB limit"})
        _, match = place_by_list(actor=request.user, txn=txn, data=upload.read(), file_name=upload.name)
        return Response(MatchSerializer(match).data)


class MatchFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=MatchStatus.choices)
    exception_kind = django_filters.ChoiceFilter(choices=ExceptionKind.choices)
    account = django_filters.NumberFilter(field_name="transaction__account")
    date_from = django_filters.DateFilter(field_name="transaction__date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="transaction__date", lookup_expr="lte")
    live = django_filters.BooleanFilter(method="filter_live")

    class Meta:
        model = Match
        fields = ["status", "exception_kind", "account", "contract"]

    def filter_live(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.live() if value else queryset  # type: ignore[attr-defined,no-any-return]


class MatchViewSet(BankingViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """对账: what each bank line pays, and the review decisions on it."""

    queryset = Match.objects.all()
    serializer_class = MatchSerializer
    filterset_class = MatchFilter
    ordering_fields = ["created_at", "confidence", "id"]
    decisions = ("confirm", "reject", "split", "unmatch")
    action_permissions = {**dict.fromkeys(decisions, "banking.review_match"),
                          "write_off": "banking.write_off_difference",
                          "refund_excess": ("banking.review_match", "receivables.refund")}

    def base_queryset(self) -> QuerySet:
        lines = MatchLine.objects.select_related("receivable__contract").order_by("pk")
        return (Match.objects.visible_to(self.request.user)
                .select_related("transaction__account", "contract").prefetch_related(Prefetch("lines", lines)))

    def _fresh(self, match: Match, code: int = status.HTTP_200_OK) -> Response:
        return Response(MatchSerializer(self.base_queryset().get(pk=match.pk)).data, status=code)

    @extend_schema(request=DecisionSerializer, responses={200: MatchSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Confirm a suggestion or exception: its lines are allocated from the bank line's receipt."""
        form = DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        match = review.confirm(actor=request.user, match=self.get_object(), note=form.validated_data["note"])
        return self._fresh(match)

    @extend_schema(request=DecisionSerializer, responses={200: MatchSerializer, 204: None})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject a suggestion (the line goes back to the queue as unidentified) or dismiss an unidentified line."""
        form = DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        requeued = review.reject(actor=request.user, match=self.get_object(), note=form.validated_data["note"])
        return self._fresh(requeued) if requeued else Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=SplitSerializer, responses={200: MatchSerializer})
    @action(detail=True, methods=["post"])
    def split(self, request: Request, pk: str | None = None) -> Response:
        """Spread the bank line over the receivables named (any contracts the user may see), and confirm."""
        match = self.get_object()
        form = SplitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        lines = [review.Line(row["receivable"], row["amount"]) for row in form.validated_data["lines"]]
        ids = {line.receivable_id for line in lines}
        if Receivable.objects.visible_to(request.user).filter(pk__in=ids).count() != len(ids):
            raise ValidationError({"lines": "a receivable named does not exist or is outside your projects"})
        note = form.validated_data["note"]
        return self._fresh(review.split(actor=request.user, match=match, lines=lines, note=note))

    @extend_schema(request=UnmatchSerializer, responses={200: MatchSerializer})
    @action(detail=True, methods=["post"])
    def unmatch(self, request: Request, pk: str | None = None) -> Response:
        """Undo an allocated match (reversing entries); the line goes back to the queue."""
        form = UnmatchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        requeued = review.unmatch(actor=request.user, match=self.get_object(), reason=form.validated_data["reason"])
        return self._fresh(requeued)

    @extend_schema(request=WriteOffSerializer, responses={200: MatchSerializer})
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request: Request, pk: str | None = None) -> Response:
        """Write off the small difference an under-payment left (within the tolerance setting)."""
        match = self.get_object()
        form = WriteOffSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        review.write_off_difference(actor=request.user, match=match, receivable_id=data.get("receivable"),
                                    amount=data.get("amount"), reason=data["reason"])
        return self._fresh(match)

    @extend_schema(request=WriteOffSerializer, responses={200: MatchSerializer})
    @action(detail=True, methods=["post"], url_path="refund-excess")
    def refund_excess(self, request: Request, pk: str | None = None) -> Response:
        """Refund what an over-payment left as credit on the contract."""
        match = self.get_object()
        form = WriteOffSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        review.refund_excess(actor=request.user, match=match, amount=form.validated_data.get("amount"),
                             reason=form.validated_data["reason"])
        return self._fresh(match)
