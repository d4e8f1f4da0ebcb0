"""`huikuan serve`: the web app and the background worker (with beat) in one command.

The worker uses whatever broker CELERY_BROKER_URL names; by default a SQLite file, so one machine
needs no extra server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web app and the Celery worker + beat (make run)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--no-worker", action="store_true", help="web app only")

    def handle(self, *args: Any, **options: Any) -> None:
        url = f"http://{options['host']}:{options['port']}/"
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([
                sys.executable, "-m", "celery", "-A", "huikuan", "worker", "--beat", "--pool=solo",
                "--loglevel=WARNING", "--schedule", str(settings.VAR_DIR / "celerybeat-schedule"),
            ])
        self.stdout.write(self.style.SUCCESS(f"huikuan is running at {url}"))
        self.stdout.write(f"background worker: {'pid ' + str(worker.pid) if worker else 'off'} "
                          f"(broker {settings.CELERY_BROKER_URL.split('://')[0]})")
        for username, description in demo_logins():
            self.stdout.write(f"  login {username:<12} password huikuan-demo   {description}")
        try:
            call_command("runserver", f"{options['host']}:{options['port']}", use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)


def demo_logins() -> list[tuple[str, str]]:
    try:
        from huikuan.core.demo.users import DEMO_LOGINS
    except ImportError:
        return []
    return list(DEMO_LOGINS)
