"""What the import and job commands share: the acting user and the progress bar on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from tqdm import tqdm


def actor_named(username: str | None) -> Any:
    """The user recorded as the actor in the audit trail (None when no --user was given)."""
    if not username:
        return None
    actor = get_user_model().objects.filter(username=username).first()
    if actor is None:
        raise CommandError(f"no user {username!r}")
    return actor


def wrapping_progress(disabled: bool) -> Callable[..., Any]:
    """progress(iterable, **tqdm options): the iterable, with a bar on stderr."""

    def progress(iterable: Any, **kwargs: Any) -> Any:
        return tqdm(iterable, file=sys.stderr, disable=disabled or None, leave=False, mininterval=0.5, **kwargs)

    return progress


def counting_progress(disabled: bool, desc: str) -> tuple[Any, Callable[[int, int], None]]:
    """(bar, progress(done, total)): a bar on stderr that a job reports into."""
    bar = tqdm(total=0, file=sys.stderr, disable=disabled or None, leave=False, unit="line", desc=desc,
               mininterval=0.5)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, progress
