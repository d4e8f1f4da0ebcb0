"""GET /api/reports/kpis/?period=2026Q3[&project=P][&region=R]: the kpis document over the caller's row
scope — the same document as `huikuan report kpis --json` (amounts as decimal strings)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .aggregates import snapshot
from .measures.base import Scope
from .periods import Period, PeriodError


class KpisView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Every management measure of a quarter (the kpis report)",
        parameters=[OpenApiParameter("period", str, description="e.g. 2026Q3 (default: the last full quarter)"),
                    OpenApiParameter("project", str, description="a project code or name"),
                    OpenApiParameter("region", str, description="a region code or name")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        text = request.query_params.get("period")
        try:
            period = Period.parse(text) if text else Period.containing(timezone.localdate()).previous()
        except PeriodError as exc:
            raise ValidationError({"period": str(exc)})
        scope = Scope.of(user=request.user, project=request.query_params.get("project"),
                         region=request.query_params.get("region"))
        data: dict[str, Any] = snapshot(period, scope)
        return Response(data)
