"""The small protocol every channel implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol


@dataclass(frozen=True)
class Outgoing:
    """What a channel needs to send one message."""

    message_id: int
    idempotency_key: str
    customer_id: int
    recipient: str
    language: str
    subject: str
    body: str
    params: dict[str, str] = field(default_factory=dict)
    provider_template: str = ""


class ChannelError(Exception):
    """The channel could not hand the message over. Retryable unless `retryable=False`."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class Channel(Protocol):
    name: ClassVar[str]
    label: ClassVar[str]
    quiet_hours: ClassVar[bool]  # True: never sent during quiet hours (SMS, calls)

    def address_of(self, customer: Any) -> str:
        """The recipient address for `customer`, or "" when they cannot be reached this way."""
        ...

    def send(self, message: Outgoing) -> str:
        """Hand the message to the provider; return the provider's id for it."""
        ...
