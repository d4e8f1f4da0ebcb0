"""Run jobs at the same instant on their own threads (and so their own database connections)."""

from __future__ import annotations

import threading

from django.db import connection


def run_together(*jobs):  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(jobs))
    outcomes: list[object] = [None] * len(jobs)

    def runner(i, job):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            outcomes[i] = job()
        except Exception as exc:  # the outcome is what the test inspects
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes
