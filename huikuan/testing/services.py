"""Helpers for tests that need the real PostgreSQL / Redis (CI runs them; elsewhere they skip)."""

from __future__ import annotations

import os

import pytest


def require(condition: bool, reason: str) -> None:
    """Skip with `reason` — unless HUIKUAN_REQUIRE_SERVICES is set (CI), where it fails instead."""
    if condition:
        return
    if os.environ.get("HUIKUAN_REQUIRE_SERVICES"):
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def require_postgres() -> None:
    from django.db import connection

    require(connection.vendor == "postgresql",
            "row locks need PostgreSQL: run with DATABASE_URL=postgres://… (make test-services)")


def require_redis_broker() -> None:
    from django.conf import settings

    require(settings.CELERY_BROKER_URL.startswith("redis"),
            "needs CELERY_BROKER_URL=redis://… (make test-services)")
