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
from chunshu_union.imports.engine import Importer, job_refused, job_run
from chunshu_union.imports.fingerprint import fingerprint
from chunshu_union.imports.models import State
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
from .models import Attendance, Event, Handout, SheetImport, SheetKind, WelfareBatch

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


@dataclass
class SheetChecked:
    """A sheet read and compared with what is recorded; nothing written.
    `rows`: what a write would record (new handouts, attendance changes)."""

    result: ImportResult
    rows: list[_Row]
    total: int
    #: What is recorded for the target as the check found it.
    state: tuple = ()


def _write_all(rows: list[_Row], write, result: ImportResult) -> list | None:
    """Write every row in one transaction; a rule broken on the way (a race
    with another user, the stock running out) undoes all of it. Returns what
    each write returned, or None when nothing was written."""
    made = []
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    made.append(write(row))
                except ValidationError as refused:
                    result.errors.append(RowError(row.row, "", refused.messages[0]))
                    raise
    except ValidationError:
        result.created = 0
        result.unchanged = 0
        result.invalid = len(result.errors)
        return None
    result.written = True
    return made


def handout_check(
    *, source, batch: WelfareBatch, by, filename: str = "", on: datetime.date | None = None
) -> SheetChecked:
    """A sign-off sheet of one batch: each row a member who received one."""
    result = ImportResult()
    rows = _read_people(source, filename, HANDOUT_FIELDS, by, result)
    total = result.invalid + len(rows)
    already = set(
        Handout.objects.filter(batch=batch, member__in=[r.member for r in rows]).values_list(
            "member_id", flat=True
        )
    )
    new = [r for r in rows if r.member.pk not in already]
    result.unchanged = len(rows) - len(new)
    new = [row for row in new if _dated(row, on, result)]
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
    return SheetChecked(result, new, total, state=(batch.stock, sorted(already)))


def _dated(row: _Row, on, result: ImportResult) -> bool:
    """Give the row its handout date (its own, or the one for the sheet);
    a row without one, or with one in the future, is a fault."""
    row.day = row.day or on
    if row.day is None:
        problem = _("The date of the handout is missing (give a date column or --date).")
    elif row.day > timezone.localdate():
        problem = _("The date is in the future.")
    else:
        return True
    result.errors.append(RowError(row.row, "", problem))
    result.invalid += 1
    return False


def handout_write(checked: SheetChecked, *, batch: WelfareBatch, by) -> dict | None:
    """Record the sheet's handouts; returns what was written (for undo), or
    None if a row was refused and nothing was."""
    made = _write_all(
        checked.rows,
        lambda r: services.handout_give(batch=batch, by=by, member=r.member, handed_on=r.day),
        checked.result,
    )
    return None if made is None else {"handouts": [h.pk for h in made]}


def attendance_check(*, source, event: Event, by, filename: str = "") -> SheetChecked:
    """A sign-in sheet of one event: each row a member who came (or, with a
    签到 column saying 否, who registered but did not come)."""
    result = ImportResult()
    rows = _read_people(source, filename, ATTENDANCE_FIELDS, by, result)
    total = result.invalid + len(rows)
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
    state = sorted((a.member_id, a.attended) for a in existing.values())
    return SheetChecked(result, changes, total, state=tuple(state))


def attendance_write(checked: SheetChecked, *, event: Event, by) -> dict | None:
    """Record the sheet's attendance; returns what was written (for undo):
    the registrations it made, and those it only marked present."""
    was_registered = set(
        Attendance.objects.filter(
            event=event, member__in=[r.member for r in checked.rows]
        ).values_list("member_id", flat=True)
    )
    made = _write_all(
        checked.rows,
        lambda r: services.attendance_record(
            event=event, member=r.member, by=by, attended=r.attended, registered_on=r.day
        )[0],
        checked.result,
    )
    if made is None:
        return None
    return {
        "attendances": [a.pk for a in made if a.member_id not in was_registered],
        "attended": [a.pk for a in made if a.member_id in was_registered],
    }


# --- The command line: check and write in one go, all or nothing ---------------


def handout_import(
    *,
    source,
    batch: WelfareBatch,
    by,
    filename: str = "",
    on: datetime.date | None = None,
    dry_run: bool = False,
) -> ImportResult:
    checked = handout_check(source=source, batch=batch, by=by, filename=filename, on=on)
    if checked.result.errors or dry_run:
        return checked.result
    job = _job(SheetKind.HANDOUTS, by, filename or source, welfare_batch=batch, handed_on=on)
    return job_run(job=job, checked=checked)


def attendance_import(
    *, source, event: Event, by, filename: str = "", dry_run: bool = False
) -> ImportResult:
    checked = attendance_check(source=source, event=event, by=by, filename=filename)
    if checked.result.errors or dry_run:
        return checked.result
    job = _job(SheetKind.ATTENDANCE, by, filename or source, event=event)
    return job_run(job=job, checked=checked)


def _job(kind: str, by, filename, **target) -> SheetImport:
    return SheetImport.objects.create(
        kind=kind,
        created_by=by,
        filename=str(filename)[-255:],
        state=State.VALIDATING,
        **target,
    )


# --- In the one import flow (chunshu_union.imports) ------------------------------


class SheetImporter(Importer):
    """How the import flow checks, keeps, writes and undoes a sheet."""

    def check(self, job: SheetImport, data: bytes, progress) -> SheetChecked:
        by = job.created_by
        if job.kind == SheetKind.HANDOUTS:
            checked = handout_check(
                source=data,
                batch=job.welfare_batch,
                by=by,
                filename=job.filename,
                on=job.handed_on,
            )
        else:
            checked = attendance_check(source=data, event=job.event, by=by, filename=job.filename)
        progress("validated", checked.total)
        return checked

    def store(self, job: SheetImport, checked: SheetChecked) -> None:
        result = checked.result
        job.rows_total = job.rows_read = job.rows_validated = checked.total
        job.created, job.updated, job.unchanged = result.created, result.updated, result.unchanged
        job.invalid = result.invalid or (1 if result.errors else 0)
        job.errors = [error.as_dict() for error in result.errors[:1000]]

    def preview(self, checked: SheetChecked) -> dict[str, list[dict]]:
        return {
            "new": [
                {
                    "row": r.row,
                    "name": r.member.name,
                    "id_masked": r.member.id_masked,
                    "day": str(r.day or ""),
                    "attended": r.attended,
                }
                for r in checked.rows
            ]
        }

    def write(self, job: SheetImport, checked: SheetChecked, *, progress) -> ImportResult:
        result = checked.result
        if result.errors and not job.skip_invalid:
            return job_refused(job, result, _("The file has faults; nothing was written."))
        if job.kind == SheetKind.HANDOUTS:
            written = handout_write(checked, batch=job.welfare_batch, by=job.created_by)
        else:
            written = attendance_write(checked, event=job.event, by=job.created_by)
        if written is None:
            refused = result.errors[-1].message if result.errors else ""
            return job_refused(
                job, result, refused or _("The file has faults; nothing was written.")
            )
        job.written = written
        job.state = State.COMMITTED
        job.committed_at = timezone.now()
        job.rows_written = len(checked.rows)
        job.save()
        return result

    def fingerprint(self, checked: SheetChecked) -> str:
        """The members it would record, and what is recorded for the target
        (the stock left, the registrations) as the check found it."""
        return fingerprint(
            sorted((r.member.pk, str(r.day), r.attended) for r in checked.rows),
            [checked.state],
        )

    def undo(self, job: SheetImport, *, by) -> None:
        services.sheet_take_back(
            handouts=job.written.get("handouts", []),
            attendances=job.written.get("attendances", []),
            attended=job.written.get("attended", []),
        )
