"""factory_boy factories for tests: small, valid objects with sensible Chinese data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from huikuan.core.choices import Role
from huikuan.customers.models import Customer
from huikuan.org.models import Building, Project, Region, StaffProfile, Unit
from huikuan.sales.models import Contract
from huikuan.sales.services import ContractRequest, Party, sign_contract


def resident_id(serial: int) -> str:
    """A valid 18-digit resident ID (Beijing Chaoyang, born 1985-06-15) with its check digit."""
    body = f"11010519850615{serial % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        obj.set_password(extracted or "pw")
        if create:
            obj.save(update_fields=["password"])


def staff(role: str = Role.FINANCE, *, projects=(), regions=(), all_projects: bool = False, username=None):
    user = UserFactory(username=username) if username else UserFactory()
    group, _ = Group.objects.get_or_create(name=str(role))
    user.groups.add(group)
    profile = StaffProfile.objects.create(user=user, role=role, all_projects=all_projects)
    profile.projects.set(projects)
    profile.regions.set(regions)
    return user


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"R{n}")
    name = factory.Sequence(lambda n: f"区域{n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.Sequence(lambda n: f"项目{n}")
    region = factory.SubFactory(RegionFactory)


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"{n + 1}栋")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    building = factory.SubFactory(BuildingFactory)
    number = factory.Sequence(lambda n: f"{1000 + n}")
    pre_sale_area = Decimal("100.00")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"张{n}")
    id_number = factory.Sequence(resident_id)
    phone = factory.Sequence(lambda n: f"138{n:08d}")


def contract(*, price: str | Decimal = "1000000.00", method: str = "lump_sum", sign_date: date = date(2026, 3, 2),
             plan=None, unit=None, customer=None, actor=None, contract_no=None, **terms) -> Contract:
    """A signed contract through the real service (so the plan, party and audit are real)."""
    unit = unit or UnitFactory()
    customer = customer or CustomerFactory()
    contract_no = contract_no or f"HT-{unit.pk:06d}"
    return sign_contract(actor=actor, request=ContractRequest(
        contract_no=contract_no, unit=unit, parties=[Party(customer)], list_price=Decimal(price),
        payment_method=method, sign_date=sign_date, plan=plan, terms=terms))
