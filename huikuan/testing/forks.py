"""Watching the forks of `core.forking` in a test."""

from __future__ import annotations

import os
from typing import Any

from huikuan.core import forking


def counting_forks(monkeypatch: Any) -> list[int]:
    """The pids of the children forked from now on (this process's view), in order."""
    children: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(forking.os, "fork", fork)
    return children
