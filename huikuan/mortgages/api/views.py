"""Loan applications, their stage changes and documents, banks and bank policies: row-scoped reads
and actions that each call one function of `mortgages.services`."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from huikuan.core.api.viewsets import ScopedViewSetMixin, ServiceRefused
from huikuan.mortgages import services
from huikuan.mortgages.models import Bank, BankPolicy, ChecklistItem, LoanApplication, Notice, StageChange
from huikuan.mortgages.pipeline import MortgageError

from .serializers import (
    BankPolicySerializer,
    BankSerializer,
    ChecklistItemSerializer,
    ConditionalAcceptanceSerializer,
    CreditPreCheckSerializer,
    LoanApplicationDetailSerializer,
    LoanApplicationSerializer,
    NoticeSerializer,
    NoticesReadSerializer,
    OpenApplicationsSerializer,
    PreCheckRemedySerializer,
    PreCheckSerializer,
    ReceiveDocumentSerializer,
    StageChangeCreateSerializer,
    StageChangeSerializer,
    StageMoveSerializer,
    WayOutSerializer,
)

MOVE = "mortgages.move_stage"


class MortgageErrorsAs400:
    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, MortgageError):
            exc = ServiceRefused(str(exc))
        return super().handle_exception(exc)  # type: ignore[misc]


class LoanApplicationViewSet(MortgageErrorsAs400, ScopedViewSetMixin, mixins.ListModelMixin,
                             mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """按揭申请: one loan of one contract at one bank; the detail adds the timeline, documents and pre-checks."""

    queryset = LoanApplication.objects.all()
    filterset_fields = ["stage", "bank", "loan_kind", "specialist", "contract", "project"]
    search_fields = ["number", "contract__contract_no"]
    ordering_fields = ["opened_on", "stage_entered_on", "amount", "expected_disbursement_on", "id"]
    scope_field = "project"
    action_permissions = {"create": MOVE, "move": MOVE, "way_out": MOVE, "pre_check": MOVE,
                          "pre_check_remedy": MOVE, "conditional_acceptance": MOVE}

    def base_queryset(self) -> QuerySet:
        queryset = LoanApplication.objects.select_related("contract", "bank")
        if self.action != "list":
            queryset = queryset.prefetch_related(
                Prefetch("stage_changes", StageChange.objects.select_related("actor").order_by("on", "id")),
                "documents", "pre_checks").select_related("guarantee")
        return queryset

    def get_serializer_class(self) -> Any:
        return LoanApplicationSerializer if self.action == "list" else LoanApplicationDetailSerializer

    def _detail(self, application: LoanApplication, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=application.pk)
        return Response(LoanApplicationDetailSerializer(fresh, context=self.get_serializer_context()).data,
                        status=code)

    @extend_schema(request=OpenApplicationsSerializer, responses={201: LoanApplicationSerializer(many=True)})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Open the applications for a contract's loans (a combination loan gets two)."""
        form = OpenApplicationsSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        opened = services.open_applications(actor=request.user, **form.validated_data)
        return Response(LoanApplicationSerializer(opened, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StageMoveSerializer, responses={200: LoanApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move to another stage; an illegal move is a 400 with the reason."""
        app = self.get_object()
        form = StageMoveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.move_stage(actor=request.user, application=app, to=data["to_stage"], note=data["note"],
                            on=data.get("on"), over_quota_reason=data["over_quota_reason"])
        return self._detail(app)

    @extend_schema(request=WayOutSerializer, responses={200: LoanApplicationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="way-out")
    def way_out(self, request: Request, pk: str | None = None) -> Response:
        """After a rejection: backup bank, provident fund, higher down payment or cash. Answers with the
        new application when there is one, else with the closed one."""
        app = self.get_object()
        form = WayOutSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        new = services.choose_way_out(actor=request.user, application=app, **form.validated_data)
        return self._detail(new or app, status.HTTP_201_CREATED if new else status.HTTP_200_OK)

    @extend_schema(request=PreCheckSerializer, responses={201: CreditPreCheckSerializer})
    @action(detail=True, methods=["post"], url_path="pre-check")
    def pre_check(self, request: Request, pk: str | None = None) -> Response:
        """征信预审: record the credit pre-check before submission."""
        app = self.get_object()
        form = PreCheckSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        check = services.record_pre_check(actor=request.user, application=app, **form.validated_data)
        return Response(CreditPreCheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PreCheckRemedySerializer, responses={200: LoanApplicationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="pre-check-remedy")
    def pre_check_remedy(self, request: Request, pk: str | None = None) -> Response:
        """Route a flagged buyer: higher down payment (smaller `amount`), guarantor, or another `bank`."""
        app = self.get_object()
        check = app.pre_checks.order_by("-checked_on", "-id").first()
        if check is None:
            raise MortgageError("record the pre-check first")
        form = PreCheckRemedySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        target = services.choose_pre_check_remedy(actor=request.user, pre_check=check, **form.validated_data)
        return self._detail(target)

    @extend_schema(request=ConditionalAcceptanceSerializer, responses={200: LoanApplicationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="conditional-acceptance")
    def conditional_acceptance(self, request: Request, pk: str | None = None) -> Response:
        """容缺受理: the bank accepts with these documents missing, each with its deadline."""
        app = self.get_object()
        form = ConditionalAcceptanceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.accept_conditionally(actor=request.user, application=app,
                                      deadlines_by_item={i["document"]: i["due_on"] for i in data["items"]},
                                      note=data["note"], on=data.get("on"))
        return self._detail(app)


class StageChangeViewSet(MortgageErrorsAs400, ScopedViewSetMixin, mixins.ListModelMixin,
                         mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The timeline of every application; POST moves an application (the same as …/move/)."""

    queryset = StageChange.objects.all()
    filterset_fields = ["application", "to_stage"]
    ordering_fields = ["on", "id"]
    scope_field = "application__project"
    action_permissions = {"create": MOVE}

    def base_queryset(self) -> QuerySet:
        return StageChange.objects.select_related("actor").order_by("-on", "-id")

    def get_serializer_class(self) -> Any:
        return StageChangeSerializer

    @extend_schema(request=StageChangeCreateSerializer, responses={201: StageChangeSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = StageChangeCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        change = services.move_stage(actor=request.user, application=data["application"], to=data["to_stage"],
                                     note=data["note"], on=data.get("on"),
                                     over_quota_reason=data["over_quota_reason"])
        return Response(StageChangeSerializer(change).data, status=status.HTTP_201_CREATED)


class LoanDocumentViewSet(MortgageErrorsAs400, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Checklist documents of the applications; `receive` marks one as received."""

    queryset = ChecklistItem.objects.all()
    serializer_class = ChecklistItemSerializer
    filterset_fields = ["application", "status", "kind"]
    ordering_fields = ["due_on", "id"]
    scope_field = "application__project"
    action_permissions = {"receive": MOVE}

    def base_queryset(self) -> QuerySet:
        return ChecklistItem.objects.order_by("application_id", "id")

    @extend_schema(request=ReceiveDocumentSerializer, responses={200: ChecklistItemSerializer})
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: str | None = None) -> Response:
        form = ReceiveDocumentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        item = services.receive_document(actor=request.user, item=self.get_object(), **form.validated_data)
        return Response(ChecklistItemSerializer(item).data)


class BankViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Partner banks (合作银行)."""

    queryset = Bank.objects.all()
    serializer_class = BankSerializer
    scope_field = None


class BankPolicyViewSet(MortgageErrorsAs400, ScopedViewSetMixin, mixins.ListModelMixin,
                        mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Dated bank policies; a new one is compared with the previous (`diff`) and the specialists of the
    bank's applications not yet disbursed are told."""

    queryset = BankPolicy.objects.all()
    serializer_class = BankPolicySerializer
    filterset_fields = ["bank"]
    ordering_fields = ["effective_from", "id"]
    scope_field = None
    action_permissions = {"create": "mortgages.record_policy"}

    def base_queryset(self) -> QuerySet:
        return BankPolicy.objects.select_related("bank").order_by("bank__code", "-effective_from")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = BankPolicySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        policy = services.record_bank_policy(actor=request.user, **form.validated_data)
        return Response(BankPolicySerializer(policy).data, status=status.HTTP_201_CREATED)


class NoticeViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """My notices (bank policy changes, stage SLA breaches, documents and disbursement deadlines), newest
    first; `?unread=1` for the unread ones. Each person sees and marks read only their own."""

    queryset = Notice.objects.all()
    serializer_class = NoticeSerializer
    scope_field = None

    def base_queryset(self) -> QuerySet:
        mine = Notice.objects.filter(recipient=self.request.user).select_related("application")
        if self.request.query_params.get("unread") in ("1", "true", "yes"):
            mine = mine.filter(read_at__isnull=True)
        return mine

    @extend_schema(request=None, responses={200: NoticeSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        """Mark this notice read."""
        notice = self.get_object()
        services.mark_notices_read(reader=request.user, ids=[notice.pk])
        notice.refresh_from_db()
        return Response(NoticeSerializer(notice).data)

    @extend_schema(request=NoticesReadSerializer, responses={200: inline_serializer(
        "NoticesMarkedRead", {"marked": drf_serializers.IntegerField()})})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        """Mark my notices read: those of `ids`, or all of them."""
        form = NoticesReadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response({"marked": services.mark_notices_read(reader=request.user, ids=form.validated_data["ids"])})
