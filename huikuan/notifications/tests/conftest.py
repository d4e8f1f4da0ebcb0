"""Fixtures: a customer with a contract, local HTTP and SMTP servers that record what arrives."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal as D
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from huikuan.receivables.services import post_receipt
from huikuan.sales.plans import PlanLine
from huikuan.testing.factories import CustomerFactory, contract

PLAN = [
    PlanLine("down_payment", 1, "首付款", date(2026, 3, 9), D("300000.00")),
    PlanLine("mortgage_loan", 1, "按揭款", date(2026, 4, 1), D("700000.00")),
]


@pytest.fixture
def buyer(db):  # type: ignore[no-untyped-def]
    """王芳 (zh-hans), with contract HT-TEST-001: 300,000.00 down payment due 9 March 2026 of which
    100,000.00 was paid on the day, and a 700,000.00 mortgage loan due 1 April 2026."""
    customer = CustomerFactory(name="王芳", email="wangfang@example.cn", phone="13800138000")
    signed = contract(method="mortgage", plan=PLAN, customer=customer, contract_no="HT-TEST-001")
    post_receipt(actor=None, amount="100000.00", received_on=date(2026, 3, 9), contract=signed)
    return customer, signed


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalHttp:
    """An HTTP server on 127.0.0.1 answering POSTs from a script of (status, json) answers."""

    url: str
    answers: list[tuple[int, dict]] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)


@pytest.fixture
def local_http() -> Iterator[LocalHttp]:
    state = LocalHttp(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append(Recorded(self.path, dict(self.headers.items()), body))
            status, answer = state.answers.pop(0) if state.answers else (200, {})
            raw = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server(settings):  # type: ignore[no-untyped-def]
    """A real SMTP server (aiosmtpd) on a free local port; Django's SMTP backend points at it."""
    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self) -> None:
            self.envelopes: list = []

        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
            self.envelopes.append(envelope)
            return "250 Message accepted for delivery"

    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()
