"""Who works a case: VIP customers their advisor first, a late bank loan the mortgage specialist (the
application's own where it has one), everyone else the collector in scope with the fewest open cases.

`Staffing` remembers who is in scope and how loaded they are for the length of one scan, so opening
thousands of cases costs a few queries, not a few per case.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from huikuan.core.choices import Role
from huikuan.org.models import Project, StaffProfile

from .choices import OwnerReason


class Staffing:
    def __init__(self) -> None:
        self._users: dict[tuple[str, int], list[Any]] = {}
        self._load: dict[int, int] | None = None
        self._people: dict[int, Any] = {}

    def person(self, pk: int) -> Any:
        """A user by id, fetched once per scan (a VIP's advisor owns many cases)."""
        if pk not in self._people:
            self._people[pk] = get_user_model().objects.get(pk=pk)
        return self._people[pk]

    def in_scope(self, role: str, project_id: int) -> list[Any]:
        key = (role, project_id)
        if key not in self._users:
            region_id = Project.objects.filter(pk=project_id).values_list("region_id", flat=True).first()
            profiles = (StaffProfile.objects.filter(role=role, user__is_active=True)
                        .filter(Q(all_projects=True) | Q(projects=project_id) | Q(regions=region_id))
                        .select_related("user").distinct().order_by("user_id"))
            self._users[key] = [p.user for p in profiles]
        return self._users[key]

    def least_loaded(self, users: list[Any]) -> Any | None:
        """The person with the fewest open cases (counted once, then kept up to date in memory)."""
        if not users:
            return None
        load = self.load()
        return self.assign(min(users, key=lambda u: (load.get(u.pk, 0), u.pk)))

    def load(self) -> dict[int, int]:
        """Open cases per owner."""
        if self._load is None:
            from .models import CollectionCase

            self._load = dict(CollectionCase.objects.open().filter(owner__isnull=False).order_by()
                              .values("owner").annotate(n=Count("pk")).values_list("owner", "n"))
        return self._load

    def assign(self, user: Any) -> Any:
        """`user` takes one more case."""
        load = self.load()
        load[user.pk] = load.get(user.pk, 0) + 1
        return user

    def choose_owner(self, *, project_id: int, is_vip: bool, advisor_id: int | None, loan_only: bool,
                     level: str, specialist_id: int | None = None) -> tuple[Any | None, str]:
        """`specialist_id`: the specialist of the loan application the bank is late on, if any."""
        if is_vip and advisor_id and level == "blue":
            return self.person(advisor_id), OwnerReason.ADVISOR
        if loan_only:
            if specialist_id is not None:
                return self.assign(self.person(specialist_id)), OwnerReason.MORTGAGE
            specialist = self.least_loaded(self.in_scope(Role.MORTGAGE, project_id))
            if specialist is not None:
                return specialist, OwnerReason.MORTGAGE
        collector = self.least_loaded(self.in_scope(Role.COLLECTOR, project_id))
        if collector is not None:
            return collector, OwnerReason.COLLECTOR
        return None, OwnerReason.NONE


def choose_owner(**kwargs: Any) -> tuple[Any | None, str]:
    return Staffing().choose_owner(**kwargs)


def legal_owner(project_id: int) -> Any | None:
    staffing = Staffing()
    return staffing.least_loaded(staffing.in_scope(Role.LEGAL, project_id))
