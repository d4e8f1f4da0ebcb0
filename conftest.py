"""Test-wide settings: eager Celery unless a test brings a real worker, a fixed calendar."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["huikuan.testing.browser"]   # the `browser` fixture (Playwright on the system Chromium)


def pytest_configure(config):  # type: ignore[no-untyped-def]
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")


@pytest.fixture(autouse=True)
def _celery_eager(settings):  # type: ignore[no-untyped-def]
    from huikuan.celery import app

    if not os.environ.get("HUIKUAN_REAL_WORKER"):
        app.conf.task_always_eager = True
        app.conf.task_eager_propagates = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():  # type: ignore[no-untyped-def]
    from huikuan.core.services import forget_calendar

    forget_calendar()
    yield
    forget_calendar()


def on_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"
