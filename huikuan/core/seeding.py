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


def seed_reference_data(sender: Any = None, **_: Any) -> None:
    """post_migrate is sent once per app; run after the last one, when every app's permissions exist."""
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is not None and sender is not with_models[-1]:
        return
    from .roles import sync_role_groups

    sync_role_groups()
    for config in apps.get_app_configs():
        if not config.name.startswith("huikuan.") or find_spec(f"{config.name}.seeds") is None:
            continue
        import_module(f"{config.name}.seeds").seed()
