"""The demo data set: a developer whose last quarter (2026Q3) tells the story of DEMO.md.

`build_demo()` plans the story in memory (`story`), tunes it (`calibrate`), then writes it through
the real services (`writer`); `figures.headline_figures()` measures the result.
"""

from __future__ import annotations

import random

from django.db import transaction

from .calibrate import calibrate
from .loans import plan_loans
from .story import DEFAULT_SIZE, Story, build_story
from .users import DEMO_LOGINS, PASSWORD

__all__ = ["DEFAULT_SIZE", "DEFAULT_SEED", "DEMO_LOGINS", "PASSWORD", "build_demo", "plan_demo"]

DEFAULT_SEED = 2026


def plan_demo(contracts: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED) -> Story:
    rng = random.Random(seed)
    story = build_story(rng, contracts)
    calibrate(story, rng)
    story.loans = plan_loans(story, random.Random(rng.random()))
    story.casework_seed = rng.random()
    return story


@transaction.atomic
def build_demo(contracts: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED, progress: bool = True) -> Story:
    """Write the demo into an empty database (one transaction: all or nothing)."""
    from .writer import Writer, write_reference

    story = plan_demo(contracts, seed)
    Writer(story, write_reference(story)).run(progress)
    return story
