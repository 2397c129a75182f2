"""Enterprises from Excel or CSV (企业名称, 统一社会信用代码, 所属社区, 所在楼宇,
职工人数, 建会日期, 工会主席, 联系电话).

All or nothing: if any row is wrong, nothing is written and every fault is
reported with its row and column. The same file twice changes nothing.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union.tabular import Field, RowError, find_header, read_table
from chunshu_union.tabular.normalize import (
    clean_name,
    clean_text,
    formula_message,
    parse_date,
    parse_int,
    parse_phone,
)
from chunshu_union.tabular.result import ImportResult

from .credit_codes import credit_code_error, normalize_credit_code
from .models import Building, Community, Enterprise, EnterpriseStatus, Status

FIELDS = [
    Field("name", ("企业名称", "单位名称", "企业", "名称"), required=True),
    Field(
        "credit_code",
        ("统一社会信用代码", "信用代码", "社会信用代码", "纳税人识别号"),
        required=True,
    ),
    Field("community", ("所属社区", "社区"), required=True),
    Field("building", ("所在楼宇", "楼宇")),
    Field("headcount", ("职工人数", "职工数", "人数")),
    Field("union_founded_on", ("建会日期", "建会时间", "工会成立日期")),
    Field("union_chair", ("工会主席", "主席")),
    Field("union_chair_phone", ("联系电话", "电话", "主席电话", "手机号")),
]
_COMPARED = (
    "name",
    "community_id",
    "building_id",
    "headcount",
    "union_founded_on",
    "union_chair",
    "union_chair_phone",
)


def _community_lookup(communities) -> dict[str, Community]:
    lookup = {}
    for community in communities:
        lookup[community.name] = community
        lookup[community.name.removesuffix("社区")] = community
    return lookup


class _RowParser:
    """Checks one row at a time; remembers what it needs across rows (the
    credit codes already seen) so duplicates are caught within the file."""

    def __init__(self, header):
        self.header = header
        self.communities = _community_lookup(Community.objects.select_related("federation"))
        self.seen: dict[str, int] = {}
        self.today = timezone.localdate()

    def parse(self, record) -> tuple[dict, list[RowError]]:
        errors: list[RowError] = []

        def fault(field: str, message: str) -> None:
            errors.append(RowError(record.row, self.header.title(field), message))

        formulas = record.formulas(("name", "union_chair", "building"))
        for name in formulas:
            fault(name, formula_message())
        values = {
            "name": clean_name(record["name"]),
            "union_chair": clean_name(record["union_chair"]),
            "building_name": clean_name(record["building"]),
            "credit_code": normalize_credit_code(record["credit_code"]),
            "community": self.communities.get(clean_text(record["community"])),
        }
        if not values["name"] and "name" not in formulas:
            fault("name", _("The enterprise name is missing."))
        for column, text, longest in (
            ("name", values["name"], _max_length(Enterprise, "name")),
            ("union_chair", values["union_chair"], _max_length(Enterprise, "union_chair")),
            ("building", values["building_name"], _max_length(Building, "name")),
        ):
            if len(text) > longest:
                fault(
                    column,
                    _("The text has %(n)d characters; at most %(max)d fit.")
                    % {"n": len(text), "max": longest},
                )
        self._check_code(values["credit_code"], record.row, fault)
        if values["community"] is None:
            fault(
                "community",
                _("“%(name)s” is not one of the street's communities.")
                % {"name": clean_text(record["community"])},
            )
        for key, parser in (
            ("headcount", parse_int),
            ("union_founded_on", parse_date),
            ("union_chair_phone", parse_phone),
        ):
            try:
                values[key] = parser(record[key])
            except ValueError as error:
                fault(key, str(error))
        founded = values.get("union_founded_on")
        if isinstance(founded, datetime.date) and founded > self.today:
            fault("union_founded_on", _("The union founding date is in the future."))
        return values, errors

    def _check_code(self, code: str, row: int, fault) -> None:
        problem = credit_code_error(code) if code else _("The credit code is missing.")
        if problem:
            fault("credit_code", problem)
        elif code in self.seen:
            fault(
                "credit_code",
                _("This credit code already appears in row %(row)d.") % {"row": self.seen[code]},
            )
        else:
            self.seen[code] = row


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def enterprise_import(
    *, source, filename: str = "", dry_run: bool = False, by=None
) -> ImportResult:
    table = read_table(source, filename)
    header, rows = find_header(table, FIELDS)
    parser = _RowParser(header)
    existing = {e.credit_code: e for e in Enterprise.objects.all()}
    buildings = {(b.federation_id, b.name): b for b in Building.objects.all()}
    result = ImportResult()
    parsed: list[tuple[int, dict]] = []
    for record in header.records(table, after=rows):
        values, errors = parser.parse(record)
        if errors:
            result.invalid += 1
            result.errors.extend(errors)
        else:
            parsed.append((record.row, values))
    if result.errors or dry_run:
        _count(parsed, existing, buildings, result)
        return result
    with transaction.atomic():
        _write(parsed, existing, buildings, result, by)
    result.written = True
    return result


def _fields_for(values: dict, building) -> dict:
    return {
        "name": values["name"],
        "community_id": values["community"].pk,
        "building_id": building.pk if building else None,
        "headcount": values.get("headcount") or 0,
        "union_founded_on": values.get("union_founded_on"),
        "union_chair": values.get("union_chair", ""),
        "union_chair_phone": values.get("union_chair_phone") or "",
    }


def _count(parsed, existing, buildings, result) -> None:
    for _row, values in parsed:
        current = existing.get(values["credit_code"])
        if current is None:
            result.created += 1
            continue
        building = buildings.get((values["community"].federation_id, values["building_name"]))
        if values["building_name"] and building is None:
            result.updated += 1
            continue
        new = _fields_for(values, building)
        if any(getattr(current, k) != v for k, v in new.items()):
            result.updated += 1
        else:
            result.unchanged += 1


def _write(parsed, existing, buildings, result, by) -> None:
    for _row, values in parsed:
        federation_id = values["community"].federation_id
        building = None
        if values["building_name"]:
            key = (federation_id, values["building_name"])
            building = buildings.get(key)
            if building is None:
                building = Building.objects.create(federation_id=federation_id, name=key[1])
                buildings[key] = building
        new = _fields_for(values, building)
        current = existing.get(values["credit_code"])
        if current is None:
            enterprise = Enterprise.objects.create(credit_code=values["credit_code"], **new)
            EnterpriseStatus.objects.create(
                enterprise=enterprise,
                status=Status.ACTIVE,
                effective_on=enterprise.union_founded_on or timezone.localdate(),
                reason=_("Imported"),
                recorded_by=by,
            )
            result.created += 1
            continue
        changed = [k for k, v in new.items() if getattr(current, k) != v]
        if not changed:
            result.unchanged += 1
            continue
        for key in changed:
            setattr(current, key, new[key])
        current.save(update_fields=[*changed, "updated_at"])
        result.updated += 1
