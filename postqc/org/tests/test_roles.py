import re
from pathlib import Path

from django.conf import settings

from postqc.org.roles import GRANTS, Capability, Role

ROLE_COLUMNS = [Role.CLERK, Role.COURIER, Role.OFFICE, Role.BRANCH_HEAD, Role.QUALITY, Role.LEADER, Role.SYSADMIN]


def documented_grants() -> dict[str, set[str]]:
    text = (Path(settings.BASE_DIR) / "docs" / "roles.md").read_text(encoding="utf-8")
    grants = {}
    for line in text.splitlines():
        match = re.match(r"^\|[^|]*\(`(\w+)`\)\s*\|(.*)\|\s*$", line)
        if match:
            cells = [c.strip() for c in match.group(2).split("|")]
            grants[match.group(1)] = {role for role, cell in zip(ROLE_COLUMNS, cells, strict=True) if cell == "✓"}
    return grants


def test_docs_roles_table_matches_the_code():
    assert documented_grants() == {cap: set(roles) for cap, roles in GRANTS.items()}


def test_every_capability_is_granted_somewhere():
    names = {v for k, v in vars(Capability).items() if k.isupper()}
    assert names == set(GRANTS)


def test_each_role_can_do_exactly_what_the_table_says(org):
    assert org.bob.can(Capability.USE_STAFF_APP) and not org.bob.can(Capability.VIEW_MANAGE)
    assert org.dave.can(Capability.USE_STAFF_APP) and not org.dave.can(Capability.EXPORT_ORG)
    assert org.hank.can(Capability.VIEW_MANAGE) and not org.hank.can(Capability.EDIT_OUTLETS)
    assert org.alice.can(Capability.EDIT_STAFF) and not org.alice.can(Capability.EDIT_UNITS)
    assert not org.alice.can(Capability.ASSIGN_PRIVILEGED_ROLES)
    assert org.dora.can(Capability.VIEW_MANAGE) and not org.dora.can(Capability.IMPORT_ORG)
    assert org.sam.can(Capability.ADMIN_SITE) and org.sam.can(Capability.ASSIGN_PRIVILEGED_ROLES)


def test_a_deactivated_person_can_do_nothing(org):
    org.alice.is_active = False
    assert not any(org.alice.can(cap) for cap in GRANTS)
