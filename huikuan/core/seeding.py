"""Reference data every database needs: the business calendar, role groups, each app's defaults.

An app with such data defines `seed()` in its `seeds` module — idempotent, never overwriting what
a person edited. `seed_reference_data` runs them all after every `migrate` and after every flush
(Django sends post_migrate then too), so a fresh database and a test database emptied by a
transactional test both have what the migrations' data steps put there.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps


def seed_reference_data(**_: Any) -> None:
    from .roles import sync_role_groups

    sync_role_groups()
    for config in apps.get_app_configs():
        if not config.name.startswith("huikuan.") or find_spec(f"{config.name}.seeds") is None:
            continue
        import_module(f"{config.name}.seeds").seed()
