"""The figures of a scope as labelled rows, grouped in sections: one list
that the page, the community page and the Excel export all read, so they
cannot show different things."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: (section title, [(key, label, unit)]); unit "%" marks a percentage,
#: "¥" money, "" a count.
MEMBERS = (
    _("Members"),
    [
        # 有增有减: at the start, + joined + transferred in − transferred
        # out − ended = at the end; a hold moves a member from "in good
        # standing" to "held" and leaves the members as they are.
        ("members_at_start", _("Members at quarter start"), ""),
        ("members_joined", _("Joined in the quarter"), ""),
        ("members_transferred_in", _("Transferred in"), ""),
        ("members_transferred_out", _("Transferred out"), ""),
        ("members_left", _("Membership ended in the quarter"), ""),
        ("members_total", _("Members at quarter end"), ""),
        ("members_standing", _("of which in good standing"), ""),
        ("members_held", _("of which held (retired, unemployed, enterprise closed)"), ""),
        ("members_put_on_hold", _("Memberships held in the quarter"), ""),
        ("members_resumed", _("Held memberships resumed in the quarter"), ""),
    ],
)
COVERAGE = (
    _("Coverage of members"),
    [
        ("jingcard_holders", _("Jing card holders"), ""),
        ("jingcard_coverage", _("Jing card coverage"), "%"),
        ("app_registered", _("Registered on the 12351 app"), ""),
        ("app_coverage", _("12351 app coverage"), "%"),
        ("verified", _("Member data verified"), ""),
        ("verified_coverage", _("Verification coverage"), "%"),
    ],
)
ENTERPRISES = (
    _("Enterprises with a union"),
    [
        ("enterprises_total", _("In the collection scope at quarter end"), ""),
        ("enterprises_founded", _("Unions founded in the quarter"), ""),
        ("enterprises_moved_out", _("Moved out"), ""),
        ("enterprises_deregistered", _("Deregistered"), ""),
    ],
)
SERVICES = (
    _("Services"),
    [
        ("visits_enterprise", _("Enterprise visits"), ""),
        ("visits_community", _("Community visits"), ""),
        ("two_twos_compliance", _("“Two 2s” compliance"), "%"),
        ("aid_cases", _("Emergency aid applications"), ""),
        ("aid_paid_amount", _("Emergency aid paid (yuan)"), "¥"),
        ("welfare_handouts", _("Welfare handouts"), ""),
        ("events", _("Events"), ""),
        ("event_attendance", _("Event attendance"), ""),
        ("service_requests", _("Service requests"), ""),
        ("service_requests_fulfilled", _("Service requests fulfilled"), ""),
        ("satisfaction_avg", _("Average satisfaction (of 5)"), ""),
        ("agreements_in_force", _("Collective agreements in force"), ""),
        ("covered_workers", _("Workers covered by bargaining"), ""),
        ("bargaining_coverage", _("Collective-bargaining coverage"), "%"),
    ],
)


def _show(value, unit: str) -> str:
    if value is None or value == "":
        return "—"
    if unit == "%":
        return f"{value}%"
    return str(value)


def rows(figures: dict, section) -> list[dict]:
    """`[{key, label, value, text}]` of one section for one scope's figures.
    Services' figures live under `figures["services"]`."""
    source = figures.get("services") or {} if section is SERVICES else figures
    return [
        {"key": key, "label": label, "value": source.get(key), "text": _show(source.get(key), unit)}
        for key, label, unit in section[1]
    ]


def sections(figures: dict) -> list[dict]:
    """Every section that has something to show."""
    out = []
    for section in (MEMBERS, COVERAGE, ENTERPRISES, SERVICES):
        if section is SERVICES and not figures.get("services"):
            continue
        out.append({"title": section[0], "rows": rows(figures, section)})
    return out


def welfare_by_item(figures: dict) -> list[tuple[str, object]]:
    """Handouts per welfare item, whatever shape the services part gives
    them in (a mapping, or a list of {item, count})."""
    raw = (figures.get("services") or {}).get("welfare_by_item") or {}
    if isinstance(raw, dict):
        return sorted(raw.items())
    pairs = []
    for entry in raw:
        if isinstance(entry, dict):
            values = list(entry.values())
            pairs.append((str(values[0]), values[-1]))
    return pairs


def matrix(scopes) -> list[dict]:
    """Each section as a table: a row per figure, a column per scope (the
    street, then the communities)."""
    out = []
    for section in (MEMBERS, COVERAGE, ENTERPRISES, SERVICES):
        per_scope = [rows(scope.figures, section) for scope in scopes]
        if section is SERVICES and not any(scope.figures.get("services") for scope in scopes):
            continue
        table = []
        for index, (key, label, _unit) in enumerate(section[1]):
            table.append(
                {"key": key, "label": label, "cells": [cells[index]["text"] for cells in per_scope]}
            )
        out.append({"title": section[0], "rows": table})
    return out
