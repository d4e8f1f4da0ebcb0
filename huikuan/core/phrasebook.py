"""Text written in English with values in it, shown in the reader's language.

Services and engines write what they explain (a match's reasons, an import's warnings and errors) in English,
with the case's values in place (`line 12: expected a date in column '交易日期', got 'abc'`), and that text is
stored and passed on as written (the API, exports, the CLI and the audit trail keep it so). A `Phrasebook` holds
each form such text is written in as a template marked for translation (`gettext_noop`); shown to a person, a
text that fits a template is translated with its values in place, and one that fits none is shown as written.

A value may itself be such a text (``nested``: the reason quoted in another, the message after `line 12:`),
translated in turn; ``whole`` names nested values that must fit a template themselves for the form around them
to count (a catch-all such as `%(file)s: %(what)s`, which would otherwise fit any text with a colon in it).
A value may be shown otherwise (``shown``: a receivable kind by its label).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cached_property

from django.utils.translation import gettext

_FIELD = re.compile(r"%\((\w+)\)s|%%")


class Phrasebook:
    def __init__(self, templates: Iterable[str], nested: Iterable[str] = (), whole: Iterable[str] = (),
                 shown: Callable[[str, str], str | None] | None = None,
                 otherwise: Callable[[str], str] | None = None, first: Iterable[str] = (),
                 fields: dict[str, str] | None = None):
        """``otherwise``: how a text no template fits is shown (as written if not given). ``first``: templates
        tried before the others (the others: those that start with words before those that start with a value,
        each longest first); ``fields``: what a value must look like, by its name (a regular expression; any text
        if not given)."""
        self.first = tuple(first)
        self.templates = self.first + tuple(t for t in templates if t not in self.first)
        self.fields = fields or {}
        self.nested = frozenset(nested) | frozenset(whole)
        self.whole = frozenset(whole)
        self.shown = shown
        self.otherwise = otherwise

    @cached_property
    def _patterns(self) -> tuple[tuple[re.Pattern[str], str], ...]:
        """Each template as a pattern of its English text, its values captured, in the order they are tried (a
        value named twice must be the same text both times)."""
        out = []
        # one that starts with its own words before one that starts with a value (which would take those words in)
        rest = sorted(self.templates[len(self.first):], key=lambda t: (t.startswith("%("), -len(t)))
        for template in (*self.first, *rest):
            regex, at, named = [], 0, set()
            for m in _FIELD.finditer(template):
                regex.append(re.escape(template[at:m.start()]))
                name = m.group(1)
                if name is None:
                    regex.append("%")
                elif name in named:
                    regex.append(f"(?P={name})")
                else:
                    named.add(name)
                    regex.append(f"(?P<{name}>{self.fields.get(name, '.+?')})")
                at = m.end()
            regex.append(re.escape(template[at:]))
            out.append((re.compile("".join(regex), re.DOTALL), template))
        return tuple(out)

    def fitting(self, text: str) -> str | None:
        """The template ``text`` was written from, or None."""
        found = self._fit(text)
        return found[0] if found else None

    def translated(self, text: str) -> str:
        """``text`` in the active language (as ``otherwise`` shows it, or as written, when no template fits)."""
        found = self._fit(text)
        if found is None:
            return self.otherwise(text) if self.otherwise else text
        template, values = found
        return gettext(template) % {name: self._value(name, value) for name, value in values.items()}

    def _fit(self, text: str) -> tuple[str, dict[str, str]] | None:
        for pattern, template in self._patterns:
            m = pattern.fullmatch(text)
            if m and all(self._fit(m.group(name)) for name in self.whole & m.groupdict().keys()):
                return template, m.groupdict()
        return None

    def _value(self, name: str, value: str) -> str:
        if self.shown is not None:
            shown = self.shown(name, value)
            if shown is not None:
                return shown
        if name in self.nested:
            return self.translated(value)
        return value
