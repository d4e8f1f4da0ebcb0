from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from huikuan.core.api.viewsets import ScopedViewSetMixin
from huikuan.notifications.querysets import visible_messages
from huikuan.notifications.services import NotificationError, requeue

from .serializers import MessageDetailSerializer, MessageSerializer


class MessageViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Outbox messages to customers of the user's projects; `requeue` sends a failed one again."""

    serializer_class = MessageSerializer
    filterset_fields = ["status", "channel", "customer", "contract", "template_key", "language"]
    search_fields = ["idempotency_key", "customer__name", "recipient"]
    ordering_fields = ["created_at", "next_attempt_at", "sent_at"]
    scope_field = None
    action_permissions = {"requeue": "notifications.requeue_message"}

    def get_queryset(self) -> QuerySet:
        found = (visible_messages(self.request.user).select_related("customer", "contract")
                 .order_by("-created_at", "-pk"))
        if self.action == "retrieve":
            found = found.prefetch_related("deliveries")
        return found

    def get_serializer_class(self) -> Any:
        return MessageDetailSerializer if self.action in {"retrieve", "requeue"} else MessageSerializer

    @action(detail=True, methods=["post"])
    def requeue(self, request: Request, pk: Any = None) -> Response:
        message = self.get_object()
        try:
            message = requeue(actor=request.user, message=message)
        except NotificationError as exc:
            raise ValidationError({"detail": str(exc)})
        return Response(MessageDetailSerializer(message, context=self.get_serializer_context()).data)
