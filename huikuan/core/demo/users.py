"""Demo logins: one person per role plus an administrator, all with the password `huikuan-demo`."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from huikuan.core.choices import Role
from huikuan.org.models import Project, Region, StaffProfile

from .catalogue import NEW, PROJECTS, REGIONS

PASSWORD = "huikuan-demo"  # noqa: S105  (the documented demo password)

# username, role, (last name, first name), scope: "all" | ("projects", keys) | ("regions", codes)
STAFF: tuple[tuple[str, str, tuple[str, str], Any], ...] = (
    ("sales", Role.SALES, ("王", "晓敏"), ("projects", ("A",))),
    ("finance", Role.FINANCE, ("陈", "静"), "all"),
    ("mortgage", Role.MORTGAGE, ("刘", "洋"), "all"),
    ("collector", Role.COLLECTOR, ("赵", "磊"), ("regions", (NEW,))),
    ("legal", Role.LEGAL, ("孙", "律"), "all"),
    ("service", Role.CUSTOMER_SERVICE, ("周", "婷"), "all"),
    ("manager", Role.MANAGER, ("李", "建国"), "all"),
    ("auditor", Role.AUDITOR, ("吴", "审"), "all"),
)
# further sales agents (not listed as demo logins; same password)
AGENTS: tuple[tuple[str, tuple[str, str], str], ...] = (
    ("agent_c", ("黄", "志强"), "C"),
    ("agent_d", ("杨", "帆"), "D"),
    ("agent_b", ("何", "雨轩"), "B"),
    ("agent_e", ("郭", "峰"), "E"),
)
DEMO_LOGINS: list[tuple[str, str]] = [("admin", "系统管理员 administrator (superuser)")] + [
    (username, f"{Role(role).label} — " + ("全部项目 all projects" if scope == "all" else
                                             f"{'项目' if scope[0] == 'projects' else '区域'} "
                                             + ", ".join(PROJECTS[k].name if scope[0] == "projects" else REGIONS[k]
                                                         for k in scope[1])))
    for username, role, _name, scope in STAFF
]


@lru_cache(maxsize=1)
def _password_hash() -> str:
    """Hashed once: a password hash costs most of a second, and every demo login shares the password."""
    return make_password(PASSWORD)


def _user(username: str, name: tuple[str, str], **extra: Any) -> Any:
    return get_user_model().objects.create(username=username, last_name=name[0], first_name=name[1],
                                           email=f"{username}@demo.huikuan.example", password=_password_hash(),
                                           **extra)


def _staff(username: str, role: str, name: tuple[str, str], scope: Any, projects: dict[str, Project],
           regions: dict[str, Region]) -> Any:
    user = _user(username, name, is_staff=True)
    group, _ = Group.objects.get_or_create(name=str(role))
    user.groups.add(group)
    profile = StaffProfile.objects.create(user=user, role=role, all_projects=scope == "all")
    if scope != "all" and scope[0] == "projects":
        profile.projects.set([projects[k] for k in scope[1]])
    elif scope != "all":
        profile.regions.set([regions[code] for code in scope[1]])
    return user


def create_demo_users(projects: dict[str, Project], regions: dict[str, Region]) -> dict[str, Any]:
    """Create the demo logins and the sales agents; returns them by username."""
    users = {"admin": _user("admin", ("管", "理员"), is_staff=True, is_superuser=True)}
    for username, role, name, scope in STAFF:
        users[username] = _staff(username, role, name, scope, projects, regions)
    for username, name, project in AGENTS:
        users[username] = _staff(username, Role.SALES, name, ("projects", (project,)), projects, regions)
    return users
