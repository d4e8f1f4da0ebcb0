def seed() -> None:
    """The usual documents banks ask for, as generic templates (see migration 0003)."""
    import importlib

    from django.apps import apps

    importlib.import_module("huikuan.mortgages.migrations.0003_seed_document_templates").seed(apps, None)
