from __future__ import annotations

from rest_framework import serializers

from huikuan.notifications.models import DeliveryAttempt, Message


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "at", "ok", "provider_id", "error"]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    contract_no = serializers.CharField(source="contract.contract_no", read_only=True, default=None)

    class Meta:
        model = Message
        fields = ["id", "customer", "customer_name", "contract", "contract_no", "channel", "template_key",
                  "language", "recipient", "subject", "idempotency_key", "status", "status_reason",
                  "attempts", "next_attempt_at", "last_error", "provider_id", "sent_at", "created_at"]
        read_only_fields = fields


class MessageDetailSerializer(MessageSerializer):
    deliveries = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta(MessageSerializer.Meta):
        fields = [*MessageSerializer.Meta.fields, "body", "params", "deliveries"]
        read_only_fields = fields
