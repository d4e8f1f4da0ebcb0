"""huikuan (回款): receivables and collections for real-estate developers."""

from .celery import app as celery_app

__all__ = ["celery_app"]
