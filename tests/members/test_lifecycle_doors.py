"""Issue 17: no view, admin page, command or API endpoint writes a
Membership except through the members services. A check over the code (with
`ast`): every create, update, save, delete or bulk write of a membership, and
every raw SQL statement that writes the memberships' table, is in one of the
modules allowed below, each with its reason."""

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]

#: Where a membership may be written, and why.
ALLOWED = {
    "members/services.py": "the members services: join, transfer, hold, resume, end, close",
    "members/roster/write.py": "the roster import's bulk path (tested against the services)",
    "members/roster/undo.py": "the roster import's undo of its own bulk writes",
    "members/roster/bulk.py": "the COPY helper the roster's bulk path calls",
    "members/models/people.py": "a membership follows its enterprise's community (a column"
    " kept in step, not a change of state)",
    "members/duplicates.py": "the merge of two records of one person (a members service)",
    "members/corrections.py": "corrections of a person's identity (a members service)",
    "demo/members.py": "the demo's seed data, written in bulk with its history alike",
}

SKIPPED_DIRS = {".venv", "tests", "migrations", "bench", "node_modules", "__pycache__"}
WRITES = {
    "create",
    "bulk_create",
    "update",
    "bulk_update",
    "update_or_create",
    "get_or_create",
    "delete",
    "save",
}
RAW_WRITE = re.compile(
    r"\b(insert\s+into|update|delete\s+from|copy)\s+\"?members_membership\b", re.IGNORECASE
)


def _source_files():
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts):
            continue
        yield relative.as_posix(), path


def _writes(tree: ast.AST, source: str):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in WRITES:
                receiver = ast.get_source_segment(source, node.func.value) or ""
                # Membership.objects…, x.memberships…, membership.save(),
                # current_membership.delete() — anything named after them.
                if re.search(r"\bMembership\b|membership", receiver) and not re.search(
                    r"MembershipEvent|membership_event|events\b", receiver
                ):
                    yield node.lineno, f"{receiver}.{node.func.attr}()"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "Membership":
                yield node.lineno, "Membership(…)"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if RAW_WRITE.search(node.value):
                yield node.lineno, "raw SQL writing members_membership"


def test_no_door_writes_a_membership_except_through_the_members_services():
    found = []
    for name, path in _source_files():
        if name in ALLOWED:
            continue
        source = path.read_text(encoding="utf-8")
        found += [f"{name}:{line}: {what}" for line, what in _writes(ast.parse(source), source)]
    assert found == [], "write through members/services.py:\n" + "\n".join(found)


def test_the_check_is_not_blind():
    """What it catches, and what it lets through (the history's own rows)."""
    samples = {
        "Membership.objects.create(member=m, enterprise=e, joined_on=d)": 1,
        "membership.left_on = d\nmembership.save(update_fields=['left_on'])": 1,
        "member.memberships.filter(left_on=None).update(left_on=d)": 1,
        "cursor.execute('UPDATE members_membership SET left_on = %s', [d])": 1,
        "MembershipEvent.objects.create(kind='joined')": 0,
    }
    for code, expected in samples.items():
        assert len(list(_writes(ast.parse(code), code))) == expected, code


def test_every_allowed_module_exists():
    assert [name for name in ALLOWED if not (ROOT / name).exists()] == []


def test_no_admin_page_edits_a_membership_field(db):
    """The admin's doors are configuration, not code: every inline that shows
    memberships is read-only, and the memberships' own page writes through
    the one admin-to-service bridge (members.admin.MembershipAdmin)."""
    from django.contrib import admin

    from chunshu_union.admin_mixins import ServiceAdminMixin
    from members.models import Membership

    own = admin.site._registry[Membership]
    assert isinstance(own, ServiceAdminMixin)
    inlines = [
        inline
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
        if inline.model is Membership
    ]
    assert inlines
    for inline in inlines:
        editable = set(inline.fields or []) - set(inline.readonly_fields)
        assert editable == set(), f"{inline.__name__} edits {editable}"
        assert inline.max_num == 0 and not inline.can_delete
