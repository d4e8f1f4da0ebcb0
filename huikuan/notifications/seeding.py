"""Default message templates, kept as files in default_templates/ (`<key>.<language>.txt`).

A file is a few `name: value` header lines, then `=== subject`, `=== body` and `=== sms`
sections. Seeding creates what is missing and never overwrites a template someone edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULTS_DIR = Path(__file__).resolve().parent / "default_templates"
SECTIONS = ("subject", "body", "sms")


@dataclass(frozen=True)
class DefaultTemplate:
    key: str
    language: str
    description: str
    provider_template: str
    subject: str
    body: str
    sms_body: str


def parse_template_file(path: Path) -> DefaultTemplate:
    key, language = path.name.removesuffix(".txt").rsplit(".", 1)
    headers: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("=== "):
            name = line[4:].strip()
            if name not in SECTIONS:
                raise ValueError(f"{path.name}: unknown section {name!r} (expected {', '.join(SECTIONS)})")
            current = sections.setdefault(name, [])
        elif current is not None:
            current.append(line)
        elif ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip()] = value.strip()
    missing = [s for s in ("subject", "body") if not "".join(sections.get(s, [])).strip()]
    if missing:
        raise ValueError(f"{path.name}: missing section(s) {', '.join(missing)}")
    return DefaultTemplate(
        key=key, language=language, description=headers.get("description", ""),
        provider_template=headers.get("provider_template", ""),
        subject="\n".join(sections["subject"]).strip(), body="\n".join(sections["body"]).strip(),
        sms_body="\n".join(sections.get("sms", [])).strip(),
    )


def default_templates() -> list[DefaultTemplate]:
    return [parse_template_file(path) for path in sorted(DEFAULTS_DIR.glob("*.txt"))]


def seed_templates(template_model: Any = None) -> int:
    """Create the default templates that do not exist yet; return how many were created."""
    if template_model is None:
        from .models import Template as template_model
    created = 0
    for default in default_templates():
        _, was_created = template_model.objects.get_or_create(
            key=default.key, language=default.language,
            defaults={"description": default.description, "subject": default.subject, "body": default.body,
                      "sms_body": default.sms_body, "provider_template": default.provider_template},
        )
        created += int(was_created)
    return created
