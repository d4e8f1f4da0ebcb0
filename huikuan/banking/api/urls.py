"""The banking endpoints, for `huikuan/api_urls.py` to register on its router (see `register`)."""

from __future__ import annotations

from typing import Any

from .views import BankAccountViewSet, BankTransactionViewSet, ImportJobViewSet, MatchViewSet, StatementViewSet

ROUTES = [
    ("bank-accounts", BankAccountViewSet, "bankaccount"),
    ("statements", StatementViewSet, "statement"),
    ("import-jobs", ImportJobViewSet, "importjob"),
    ("bank-transactions", BankTransactionViewSet, "banktransaction"),
    ("matches", MatchViewSet, "match"),
]


def register(router: Any) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)


def _urlpatterns() -> list:
    from rest_framework.routers import SimpleRouter

    router = SimpleRouter()
    register(router)
    return router.urls


urlpatterns = _urlpatterns()
