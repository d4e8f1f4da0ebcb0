def seed() -> None:
    """Default message templates from default_templates/ (never overwriting an edited one)."""
    from .models import Template
    from .seeding import seed_templates

    seed_templates(Template)
