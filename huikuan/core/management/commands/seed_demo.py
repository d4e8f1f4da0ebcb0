"""`huikuan seed_demo [--contracts N] [--seed S] [--if-empty]`: load the demo quarter."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import override_settings

from huikuan.core.demo import DEFAULT_SEED, DEFAULT_SIZE, DEMO_LOGINS, PASSWORD, build_demo
from huikuan.core.demo.figures import format_figures, headline_figures
from huikuan.sales.models import Contract


class Command(BaseCommand):
    help = "Load the demo developer and its 2026Q3 quarter into an empty database (deterministic)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contracts", type=int, default=DEFAULT_SIZE,
                            help=f"about how many contracts (default {DEFAULT_SIZE}); the story keeps its proportions")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (same seed, same data)")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when the database already holds contracts (for `make run`)")

    def handle(self, *args: Any, contracts: int, seed: int, if_empty: bool, **options: Any) -> None:
        if Contract.objects.exists():
            if if_empty:
                self.stdout.write("seed_demo: the database already holds contracts; nothing to do.")
                return
            raise CommandError("the database already holds contracts; seed_demo loads only into an empty database "
                               "(use a fresh database, or --if-empty to skip quietly)")
        if contracts < 40:
            raise CommandError("--contracts must be at least 40 for the story to hold")
        started, cpu = time.monotonic(), time.process_time()
        with override_settings(DEBUG=False):      # no query log: it costs time and memory on this many queries
            build_demo(contracts=contracts, seed=seed, progress=options.get("verbosity", 1) > 0)
        elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
        self.stdout.write(self.style.SUCCESS(
            f"seed_demo: {Contract.objects.count()} contracts written in {elapsed:.1f} s ({cpu:.1f} s CPU, "
            f"seed {seed})."))
        self.stdout.write("The demo quarter's headline figures (see docs/demo.md):")
        self.stdout.write(format_figures(headline_figures()))
        self.stdout.write(f"Demo logins (password {PASSWORD}):")
        for username, description in DEMO_LOGINS:
            self.stdout.write(f"  {username:<10} {description}")
