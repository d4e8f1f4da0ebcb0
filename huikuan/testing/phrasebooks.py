"""A check every phrasebook's tests make (`core.phrasebook`): each template, filled with sample values, is found
again as itself — no other template hides it."""

from __future__ import annotations

from collections.abc import Callable, Iterable


class _Samples(dict):
    def __missing__(self, key: str) -> str:
        return f"<{key}>"


def hidden_templates(templates: Iterable[str], fitting: Callable[[str], str | None],
                     samples: dict[str, str] | None = None) -> list[str]:
    """The templates that, filled with sample values (`<name>`, or ``samples[name]`` where a value must look a
    certain way), another template fits first."""
    values = _Samples(samples or {})
    return [template for template in templates if fitting(template % values) != template]
