"""Sign-off sheets (welfare handouts) and sign-in sheets (event attendance)
from Excel or CSV, read by the same machinery as rosters.

Columns: 姓名, 身份证号 (its usual variants), and optionally a date
(签收日期 / 签到日期). A person is found by the ID number among the members
of the street; the name must agree with the roster. All or nothing: if any
row is wrong nothing is written, and every fault is reported with its row
and column. Importing the same sheet again changes nothing (rows already
recorded count as unchanged)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union import crypto
from chunshu_union.tabular import Field, RowError, find_header, read_table
from chunshu_union.tabular.normalize import (
    clean_name,
    clean_text,
    formula_message,
    parse_bool,
    parse_date,
)
from chunshu_union.tabular.result import ImportResult
from members.id_numbers import id_number_error, normalise
from members.models import Member

from . import services
from .models import Attendance, Event, Handout, WelfareBatch

PERSON_FIELDS = [
    Field("name", ("姓名", "会员姓名", "职工姓名", "签收人", "签名"), required=True),
    Field(
        "id_number",
        ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证"),
        required=True,
    ),
]
HANDOUT_FIELDS = [*PERSON_FIELDS, Field("day", ("签收日期", "领取日期", "日期", "发放日期"))]
ATTENDANCE_FIELDS = [
    *PERSON_FIELDS,
    Field("day", ("签到日期", "日期", "报名日期")),
    Field("attended", ("签到", "出席", "是否出席", "到场")),
]


@dataclass
class _Row:
    row: int
    member: Member
    day: datetime.date | None
    attended: bool = True


def _id_number(record, fault) -> str | None:
    number = normalise(record["id_number"])  # the one reader of every door (members.id_numbers)
    if not number:
        fault("id_number", _("The ID number is missing."))
        return None
    problem = id_number_error(number)
    if problem:
        fault("id_number", problem)
        return None
    return number


def _read_people(source, filename, fields, by, result: ImportResult) -> list[_Row]:
    """Rows whose person is a member the user may act for; faults go into
    `result`."""
    table = read_table(source, filename)
    header, rows = find_header(table, fields)
    records = list(header.records(table, after=rows))
    numbers = {}
    for record in records:
        text = normalise(record["id_number"])
        if text and not id_number_error(text):
            numbers[crypto.digest(text)] = text
    members = {m.id_digest: m for m in Member.objects.filter(id_digest__in=numbers)}
    visible = set(
        Member.objects.for_user(by).filter(id_digest__in=numbers).values_list("pk", flat=True)
    )
    parsed: list[_Row] = []
    seen: dict[int, int] = {}
    for record in records:
        errors: list[RowError] = []

        def fault(field, message, errors=errors, row=record.row):
            errors.append(RowError(row, header.title(field), message))

        formula = record.formulas(("name",))
        if formula:
            fault("name", formula_message())
        name = clean_name(record["name"])
        if not name and not formula:
            fault("name", _("The name is missing."))
        number = _id_number(record, fault)
        member = members.get(crypto.digest(number)) if number else None
        if number and member is None:
            fault("id_number", _("No member of the street has this ID number."))
        elif member is not None and member.pk not in visible:
            fault("id_number", _("This person is not a member of your community."))
        elif member is not None and name and member.name != name:
            fault(
                "name",
                _("The roster has “%(roster)s” for this ID number, not “%(name)s”.")
                % {"roster": member.name, "name": name},
            )
        elif member is not None and member.pk in seen:
            fault(
                "id_number",
                _("This person already appears in row %(row)d.") % {"row": seen[member.pk]},
            )
        day = None
        if "day" in header.columns:
            try:
                day = parse_date(record["day"])
            except ValueError as error:
                fault("day", str(error))
        attended = True
        if "attended" in header.columns and clean_text(record["attended"]):
            try:
                flag = parse_bool(record["attended"])
                attended = True if flag is None else flag
            except ValueError as error:
                fault("attended", str(error))
        if errors:
            result.invalid += 1
            result.errors.extend(errors)
            continue
        seen[member.pk] = record.row
        parsed.append(_Row(record.row, member, day, attended))
    return parsed


def _write_all(rows: list[_Row], write, result: ImportResult) -> None:
    """Write every row in one transaction; a rule broken on the way (a race
    with another user, the stock running out) undoes all of it."""
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    write(row)
                except ValidationError as refused:
                    result.errors.append(RowError(row.row, "", refused.messages[0]))
                    raise
    except ValidationError:
        result.created = 0
        result.unchanged = 0
        result.invalid = len(result.errors)
        return
    result.written = True


def handout_import(
    *,
    source,
    batch: WelfareBatch,
    by,
    filename: str = "",
    on: datetime.date | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """A sign-off sheet of one batch: each row a member who received one."""
    result = ImportResult()
    rows = _read_people(source, filename, HANDOUT_FIELDS, by, result)
    already = set(
        Handout.objects.filter(batch=batch, member__in=[r.member for r in rows]).values_list(
            "member_id", flat=True
        )
    )
    new = [r for r in rows if r.member.pk not in already]
    result.unchanged = len(rows) - len(new)
    today = timezone.localdate()
    for row in new:
        row.day = row.day or on
        if row.day is None:
            result.errors.append(
                RowError(
                    row.row,
                    "",
                    _("The date of the handout is missing (give a date column or --date)."),
                )
            )
        elif row.day > today:
            result.errors.append(RowError(row.row, "", _("The date is in the future.")))
    batch.refresh_from_db(fields=["stock"])
    if len(new) > batch.stock:
        result.errors.append(
            RowError(
                None,
                "",
                _("Not enough left in “%(batch)s”: %(left)d in stock, %(wanted)d asked for.")
                % {"batch": batch.name, "left": batch.stock, "wanted": len(new)},
            )
        )
    result.created = len(new)
    if result.errors or dry_run:
        return result
    _write_all(
        new,
        lambda r: services.handout_give(batch=batch, by=by, member=r.member, handed_on=r.day),
        result,
    )
    return result


def attendance_import(
    *, source, event: Event, by, filename: str = "", dry_run: bool = False
) -> ImportResult:
    """A sign-in sheet of one event: each row a member who came (or, with a
    签到 column saying 否, who registered but did not come)."""
    result = ImportResult()
    rows = _read_people(source, filename, ATTENDANCE_FIELDS, by, result)
    existing = {
        a.member_id: a
        for a in Attendance.objects.filter(event=event, member__in=[r.member for r in rows])
    }
    changes = []
    for row in rows:
        current = existing.get(row.member.pk)
        if current is None or (row.attended and not current.attended):
            changes.append(row)
    result.created = sum(1 for r in changes if r.member.pk not in existing)
    result.updated = len(changes) - result.created
    result.unchanged = len(rows) - len(changes)
    if result.errors or dry_run:
        return result
    _write_all(
        changes,
        lambda r: services.attendance_record(
            event=event, member=r.member, by=by, attended=r.attended, registered_on=r.day
        ),
        result,
    )
    return result
