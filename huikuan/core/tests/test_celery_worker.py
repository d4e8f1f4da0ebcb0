"""A real worker on the real broker: the task goes through Redis and back (CI's second run)."""

import pytest

from huikuan.testing.services import require_redis_broker


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_task_runs_on_a_redis_backed_worker():
    require_redis_broker()
    from celery.contrib.testing.worker import start_worker

    from huikuan.celery import app
    from huikuan.core.tasks import ping

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            assert ping.delay().get(timeout=20) == "pong"
    finally:
        app.conf.task_always_eager = True


def test_beat_schedule_names_tasks_that_exist():
    from huikuan.celery import app

    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, f"beat entry {name} names unknown task {entry['task']}"
