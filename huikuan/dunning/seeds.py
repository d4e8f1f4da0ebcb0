def seed() -> None:
    """Default aging buckets, warning rules and dunning policies (see migration 0002; kept if edited)."""
    import importlib

    from django.apps import apps

    importlib.import_module("huikuan.dunning.migrations.0002_defaults").seed(apps, None)
