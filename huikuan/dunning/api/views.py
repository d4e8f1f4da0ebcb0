"""Dunning endpoints: cases (with their actions and the case-work operations), actions, promises,
disputes, restructurings. Row-scoped through the contract's project; every write is a service call."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from huikuan.core.api.viewsets import ScopedViewSetMixin, ServiceRefused
from huikuan.dunning import services
from huikuan.dunning.models import CaseAction, CollectionCase, Dispute, PromiseToPay, Restructuring
from huikuan.org.scope import visible_project_ids

from .serializers import (
    ActionSerializer,
    BulkSerializer,
    CallSerializer,
    CaseSerializer,
    DisputeSerializer,
    EscalateSerializer,
    HoldSerializer,
    PromiseSerializer,
    ReasonSerializer,
    ResolveSerializer,
    RespondSerializer,
    RestructuringSerializer,
)

SCOPE = "contract__project"
CASE_SCOPE = "case__contract__project"


class DunningMixin(ScopedViewSetMixin):
    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, services.CaseError):
            exc = ServiceRefused(str(exc))
        return super().handle_exception(exc)

    def in_scope(self, project_id: int) -> None:
        allowed = visible_project_ids(self.request.user)
        if allowed is not None and project_id not in allowed:
            raise NotFound()


class CaseViewSet(DunningMixin, viewsets.ReadOnlyModelViewSet):
    """Collection cases, the worklist order (priority = amount × days × risk) by default."""

    queryset = CollectionCase.objects.all()
    serializer_class = CaseSerializer
    scope_field = SCOPE
    filterset_fields = ["status", "level", "owner", "owner_reason", "contract__project"]
    search_fields = ["contract__contract_no", "customer__name"]
    ordering_fields = ["priority", "overdue", "days", "opened_on"]

    def base_queryset(self) -> QuerySet:
        return CollectionCase.objects.select_related("contract", "contract__project", "customer", "owner") \
            .order_by("-priority", "pk")

    def _done(self, case: CollectionCase) -> Response:
        return Response(CaseSerializer(self.get_queryset().get(pk=case.pk)).data)

    @action(detail=True)
    def actions(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        return Response(ActionSerializer(case.actions.select_related("step"), many=True).data)

    @extend_schema(request=HoldSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request: Request, pk: str | None = None) -> Response:
        form = HoldSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._done(services.hold(self.get_object(), actor=request.user, **form.validated_data))

    @extend_schema(request=ReasonSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str | None = None) -> Response:
        form = ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._done(services.release(self.get_object(), actor=request.user, **form.validated_data))

    @extend_schema(request=EscalateSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str | None = None) -> Response:
        form = EscalateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._done(services.escalate(self.get_object(), actor=request.user, **form.validated_data))

    @extend_schema(request=CallSerializer, responses=ActionSerializer)
    @action(detail=True, methods=["post"])
    def call(self, request: Request, pk: str | None = None) -> Response:
        form = CallSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        logged = services.log_call(self.get_object(), actor=request.user, **form.validated_data)
        return Response(ActionSerializer(logged).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BulkSerializer)
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        """Hold, release, escalate or assign many cases at once (each one its own service call)."""
        form = BulkSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        visible = set(self.get_queryset().filter(pk__in=[c.pk for c in data["cases"]]).values_list("pk", flat=True))
        done, refused = [], {}
        owner = get_user_model().objects.filter(pk=data.get("owner")).first() if data.get("owner") else None
        for case in data["cases"]:
            if case.pk not in visible:
                refused[case.pk] = "not found"
                continue
            try:
                bulk_operation(case, request.user, data, owner)
                done.append(case.pk)
            except services.CaseError as exc:
                refused[case.pk] = str(exc)
        return Response({"done": done, "refused": refused})


def bulk_operation(case: CollectionCase, actor: Any, data: dict, owner: Any) -> None:
    operation, reason = data["operation"], data["reason"]
    if operation == "hold":
        if not data.get("until"):
            raise services.CaseError("a hold needs `until`")
        services.hold(case, actor=actor, until=data["until"], reason=reason)
    elif operation == "release":
        services.release(case, actor=actor, reason=reason)
    elif operation == "escalate":
        services.escalate(case, actor=actor, reason=reason)
    else:
        if owner is None:
            raise services.CaseError("assigning needs an `owner`")
        services.reassign(case, actor=actor, owner=owner, reason=reason)


class ActionViewSet(DunningMixin, viewsets.ReadOnlyModelViewSet):
    """Everything done or planned on cases; a planned step can be skipped with a reason."""

    queryset = CaseAction.objects.all()
    serializer_class = ActionSerializer
    scope_field = CASE_SCOPE
    filterset_fields = ["case", "kind", "status", "channel"]
    ordering_fields = ["planned_on", "at"]

    def base_queryset(self) -> QuerySet:
        return CaseAction.objects.select_related("step")

    @extend_schema(request=ReasonSerializer, responses=ActionSerializer)
    @action(detail=True, methods=["post"])
    def skip(self, request: Request, pk: str | None = None) -> Response:
        form = ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(ActionSerializer(services.skip_step(self.get_object(), actor=request.user,
                                                            **form.validated_data)).data)


class PromiseViewSet(DunningMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = PromiseToPay.objects.all()
    serializer_class = PromiseSerializer
    scope_field = CASE_SCOPE
    filterset_fields = ["case", "status"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = PromiseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        case = form.validated_data.pop("case")
        self.in_scope(case.contract.project_id)
        promise = services.promise_to_pay(case, actor=request.user, **form.validated_data)
        return Response(PromiseSerializer(promise).data, status=status.HTTP_201_CREATED)


class DisputeViewSet(DunningMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Disputes with their 24-hour first-response timer (`seconds_left`, `breached`)."""

    queryset = Dispute.objects.all()
    serializer_class = DisputeSerializer
    scope_field = SCOPE
    filterset_fields = ["status", "owner", "contract"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = DisputeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        receivable = form.validated_data["receivable"]
        self.in_scope(receivable.contract.project_id)
        dispute = services.open_dispute(receivable=receivable, reason=form.validated_data["reason"],
                                        amount=form.validated_data.get("amount"), actor=request.user)
        return Response(DisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RespondSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str | None = None) -> Response:
        form = RespondSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(DisputeSerializer(services.respond(self.get_object(), actor=request.user,
                                                           text=form.validated_data["text"])).data)

    @extend_schema(request=ResolveSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        form = ResolveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(DisputeSerializer(services.resolve(self.get_object(), actor=request.user,
                                                           **form.validated_data)).data)


class RestructuringViewSet(DunningMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Extensions and new installment plans; approving needs `dunning.approve_restructuring` and a
    second person."""

    queryset = Restructuring.objects.all()
    serializer_class = RestructuringSerializer
    scope_field = SCOPE
    action_permissions = {"approve": "dunning.approve_restructuring", "reject": "dunning.approve_restructuring"}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = RestructuringSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        self.in_scope(data["case"].contract.project_id)
        item = services.request_restructuring(
            data["case"], actor=request.user, kind=data["kind"], receivables=data["receivables"],
            lines=[(line["due_date"], line["amount"]) for line in data["lines"]], reason=data["reason"])
        return Response(RestructuringSerializer(item).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        item = services.decide_restructuring(self.get_object(), actor=request.user, approve=True)
        return Response(RestructuringSerializer(item).data)

    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        item = services.decide_restructuring(self.get_object(), actor=request.user, approve=False)
        return Response(RestructuringSerializer(item).data)
