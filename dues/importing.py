"""The tax bureau's declaration details (申报明细), from Excel or CSV.

Read with the shared reader (`chunshu_union.tabular`); docs/UNION_FUNDS.md
lists the layouts and column names accepted. The rules, in the order a row
meets them:

- Only union funds are declarations. The export often lists every tax of
  the taxpayers: a row counts when its item (征收项目) or sub-item (征收品目)
  is 工会经费; every other row is skipped and counted per item name, never
  checked or stored. A late fee or fine (滞纳金, 罚款) is not a declaration.
  A file without an item column, or whose item column is empty throughout,
  is union funds only; an empty item among named ones is skipped, not
  guessed. The item stored is always 工会经费 (the sub-item is kept apart),
  so a file with 征收品目 and one without find the same declarations.
- What the staff cannot fix in the tax bureau's file never blocks it: an
  old-format taxpayer number (15, 17 or 20 characters, or a resident ID
  number) is kept unmatched; a refund (a negative amount) is kept for its
  period but does not make the enterprise declared on its own; a line
  repeated exactly counts once; a second row with the same key and other
  amounts (a correction filed the same day) replaces the earlier row. Each
  is listed in the result with its row. Total lines (合计) are ignored.
- Real faults — a missing or unreadable period or date, a period ending
  before it starts, a declaration dated in the future, an amount that is not
  a number, a bad credit code, a formula in a text cell — are reported with
  their Excel row, column and a Chinese sentence, and nothing is written.

A row's natural key is (taxpayer, item, period, declaration date, refund or
not): the same file twice changes nothing, and an overlapping newer export
updates the rows whose amounts changed. Rows whose taxpayer matches no
enterprise are kept (unmatched) and counted apart.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union.tabular import RowError, find_header, read_table
from chunshu_union.tabular.damage import excel_damaged
from chunshu_union.tabular.normalize import (
    clean_name,
    formula_message,
    parse_date,
)
from chunshu_union.tabular.result import ImportResult
from enterprises.credit_codes import credit_code_error, normalize_credit_code
from enterprises.models import Enterprise
from members.id_numbers import id_number_error, mask

from .models import Declaration
from .tax_export import (
    FIELDS,
    MONEY,
    UNION_FUNDS,
    Layout,
    amount,
    is_total,
    is_zero,
    item_of,
    parse_period,
    rate,
    read_layout,
)

_COMPARED = (
    "taxpayer_name",
    "sub_item",
    "base",
    "rate",
    "amount_due",
    "amount_paid",
    "paid_on",
    "is_zero",
)
#: Filled in by a newer export, never emptied by an older one without them.
_KEPT_WHEN_EMPTY = ("sub_item", "paid_on")
#: Taxpayer numbers from before the credit code: the old tax registration
#: number (15: area code and organisation code) and the numbers of
#: individuals (17, 20). Kept as written; they match no enterprise.
_OLD_NUMBER = re.compile(r"^(?:[0-9A-Z]{15}|[0-9A-Z]{17}|[0-9A-Z]{20})$")


def _personal_number_masked(code: str) -> str:
    """A self-employed person's taxpayer number is their resident ID number
    (18 characters), sometimes with two digits after it (20), or the old
    15-digit ID number: no full ID number is stored in clear, so its birth
    date is masked as everywhere else (110102********123X01). The taxpayer's
    name stays beside it for the staff."""
    if len(code) in (18, 20) and id_number_error(code[:18]) is None:
        return mask(code[:18]) + code[18:]
    if len(code) == 15 and code.isdigit() and _is_date(f"19{code[6:12]}"):
        return mask(code)
    return code


def _is_date(digits: str) -> bool:
    try:
        datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return True


@dataclass
class Parsed:
    row: int
    values: dict
    old_number: bool = False

    @property
    def key(self) -> tuple:
        v = self.values
        return (
            v["credit_code"],
            v["item"],
            v["period_start"],
            v["period_end"],
            v["declared_on"],
            v["is_refund"],
        )


# --- Rows ----------------------------------------------------------------------


class _RowParser:
    def __init__(self, header, layout: Layout, today: datetime.date):
        self.header = header
        self.layout = layout
        self.today = today

    def parse(self, record, sub_item: str) -> tuple[Parsed, list[RowError]]:
        errors: list[RowError] = []

        def fault(name: str, message: str) -> None:
            errors.append(RowError(record.row, self.header.title(name), message))

        values: dict = {"item": UNION_FUNDS, "sub_item": sub_item[:100]}
        values["credit_code"], old = self._taxpayer(record, fault)
        if record.formulas(("taxpayer_name",)):
            fault("taxpayer_name", formula_message())
        values["taxpayer_name"] = clean_name(record["taxpayer_name"])[:200]
        if not values["taxpayer_name"]:
            fault("taxpayer_name", _("The taxpayer name is missing."))
        self._period(record, values, fault)
        self._dates(record, values, fault)
        for name in MONEY:
            try:
                values[name] = amount(record[name], digits=14 if name == "base" else 12)
            except ValueError as error:
                fault(name, str(error))
        try:
            values["rate"] = rate(record["rate"])
        except ValueError as error:
            fault("rate", str(error))
        values["is_refund"] = any(values.get(name, 0) < 0 for name in MONEY)
        values["is_zero"] = not values["is_refund"] and is_zero(record["is_zero"], values)
        return Parsed(record.row, values, old), errors

    def _taxpayer(self, record, fault) -> tuple[str, bool]:
        """The code, and whether it is an old-format number kept unmatched."""
        code = normalize_credit_code(record["credit_code"])
        if not code:
            fault("credit_code", _("The taxpayer ID (credit code) is missing."))
            return code, False
        problem = credit_code_error(code)
        if problem is None:
            return code, False
        if not excel_damaged(code) and (
            _OLD_NUMBER.match(code) or (len(code) == 18 and id_number_error(code) is None)
        ):
            return _personal_number_masked(code), True
        fault("credit_code", problem)
        return code, False

    def _period(self, record, values, fault) -> None:
        if self.layout.one_column_period:
            try:
                period = parse_period(record["period"])
            except ValueError as error:
                fault("period", str(error))
                return
            if period is None:
                fault("period", _("The tax period is missing."))
                return
            values["period_start"], values["period_end"] = period
            where = "period"
        else:
            for name in ("period_start", "period_end"):
                try:
                    values[name] = parse_date(record[name])
                except ValueError as error:
                    fault(name, str(error))
                    continue
                if values[name] is None:
                    fault(name, _("The date is missing."))
            where = "period_end"
        start, end = values.get("period_start"), values.get("period_end")
        if start and end and end < start:
            fault(
                where,
                _("The tax period ends (%(end)s) before it starts (%(start)s).")
                % {"end": end, "start": start},
            )

    def _dates(self, record, values, fault) -> None:
        """The declaration date is the date of record (part of the key); a
        row or a file with only the treasury's date (入库日期) uses that."""
        days, unreadable = {}, False
        for name in ("declared_on", "paid_on"):
            if name in self.header.columns:
                try:
                    days[name] = parse_date(record[name])
                except ValueError as error:
                    fault(name, str(error))
                    unreadable = True
        values["paid_on"] = days.get("paid_on")
        if unreadable:
            return
        column = "declared_on" if days.get("declared_on") else self.layout.date_field
        declared = days.get("declared_on") or days.get("paid_on")
        if declared is None:
            fault(column, _("The date is missing."))
            return
        values["declared_on"] = declared
        if declared > self.today:
            fault(column, _("The declaration date is in the future."))


# --- The file ------------------------------------------------------------------


@dataclass
class _Sorted:
    """The rows of a file, sorted into what is stored and what is not."""

    parsed: list[Parsed] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    repeated: list[dict] = field(default_factory=list)
    corrections: list[dict] = field(default_factory=list)
    records: int = 0  # the lines below the header, totals left out


def _read(table, header, rows, layout: Layout, today, result: ImportResult) -> _Sorted:
    parser = _RowParser(header, layout, today)
    out = _Sorted()
    candidates: list[tuple[Parsed, list[RowError], bool]] = []
    named = False  # some row names its item: an empty one is then not ours
    for record in header.records(table, after=rows):
        if is_total(record):
            continue
        out.records += 1
        kind, name, sub_item = item_of(record)
        if kind == "other":
            out.skipped[name] += 1
            named = True
            continue
        named = named or kind == "union"
        item, errors = parser.parse(record, sub_item)
        candidates.append((item, errors, kind == "blank"))
    seen: dict[tuple, int] = {}
    for item, errors, blank in candidates:
        if blank and named:
            out.skipped[""] += 1  # an empty item among named ones: not guessed
            continue
        if errors:
            result.invalid += 1
            result.errors.extend(errors)
            continue
        _keep(item, seen, out)
    return out


def _keep(item: Parsed, seen: dict, out: _Sorted) -> None:
    """Exact repeats count once; the same key with other figures is a
    correction filed the same day: the later row wins."""
    at = seen.get(item.key)
    if at is None:
        seen[item.key] = len(out.parsed)
        out.parsed.append(item)
        return
    earlier = out.parsed[at]
    if earlier.values == item.values:
        out.repeated.append({"row": item.row, "same_as": earlier.row})
    else:
        out.corrections.append({"row": item.row, "replaces": earlier.row})
        out.parsed[at] = item


@dataclass
class DeclarationsChecked:
    """A tax export read, checked and compared with the database; nothing
    written. `result` holds the counts, the faults and what was set aside."""

    result: ImportResult
    total: int
    new: list[Declaration] = field(default_factory=list)
    #: Rows that change a stored declaration: (the declaration with the new
    #: values set, unsaved; the values it had).
    changed: list[tuple[Declaration, dict]] = field(default_factory=list)
    rows: dict = field(default_factory=dict)  # id(declaration) → Excel row


def declaration_check(
    *, source, filename: str = "", today=None, progress=None
) -> DeclarationsChecked:
    """Read, check every row and compare with the database: the preview,
    and the first step of every write."""
    tick = progress or (lambda stage, n: None)
    today = today or timezone.localdate()
    table = read_table(source, filename)
    tick("read", table.height)
    header, rows = find_header(table, FIELDS)
    layout = read_layout(header)
    result = ImportResult()
    rows_read = _read(table, header, rows, layout, today, result)
    parsed = rows_read.parsed
    result.extra.update(_set_aside(rows_read))
    checked = _plan(parsed, result)
    checked.total = rows_read.records
    tick("validated", checked.total)
    return checked


def _set_aside(rows_read: _Sorted) -> dict:
    """What the file holds that is not a declaration to store as it is."""
    parsed = rows_read.parsed

    def listed(keep) -> list[dict]:
        rows = ({"row": p.row, "taxpayer": p.values["credit_code"]} for p in parsed if keep(p))
        return sorted(rows, key=lambda r: r["row"])

    return {
        "skipped": sum(rows_read.skipped.values()),
        "skipped_items": dict(sorted(rows_read.skipped.items(), key=lambda kv: -kv[1])),
        "refunds": listed(lambda p: p.values["is_refund"]),
        "repeated": rows_read.repeated,
        "corrections": rows_read.corrections,
        "other_taxpayer_ids": listed(lambda p: p.old_number),
    }


def _plan(parsed: list[Parsed], result: ImportResult) -> DeclarationsChecked:
    checked = DeclarationsChecked(result=result, total=0)
    codes = {p.values["credit_code"] for p in parsed}
    enterprises = dict(
        Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", "pk")
    )
    existing = {
        (d.credit_code, d.item, d.period_start, d.period_end, d.declared_on, d.is_refund): d
        for d in Declaration.objects.filter(credit_code__in=codes)
    }
    for p in parsed:
        enterprise_id = enterprises.get(p.values["credit_code"])
        current = existing.get(p.key)
        if current is None:
            declaration = Declaration(enterprise_id=enterprise_id, **p.values)
            checked.new.append(declaration)
            checked.rows[id(declaration)] = p.row
            result.created += 1
            continue
        diff = [
            k
            for k in _COMPARED
            if getattr(current, k) != p.values[k]
            and not (k in _KEPT_WHEN_EMPTY and not p.values[k])
        ]
        if current.enterprise_id != enterprise_id:
            diff.append("enterprise_id")
        if not diff:
            result.unchanged += 1
            continue
        # What undo puts back: with the updated_at it had, which the write
        # is about to move.
        # (isoformat: JSON's encoder would cut the microseconds.)
        before = {k: getattr(current, k) for k in diff}
        before["updated_at"] = current.updated_at.isoformat()
        for k in diff:
            setattr(current, k, enterprise_id if k == "enterprise_id" else p.values[k])
        checked.changed.append((current, before))
        checked.rows[id(current)] = p.row
        result.updated += 1
    unmatched = sorted(codes - set(enterprises))
    result.extra["unmatched"] = len([p for p in parsed if p.values["credit_code"] in unmatched])
    result.extra["unmatched_taxpayers"] = unmatched
    return checked


COMPARED = (*_COMPARED, "enterprise_id")


def result_notes(result: ImportResult) -> list[str]:
    """What the import left aside or merged, in sentences for the staff (the
    command's summary and the admin's preview)."""
    extra = result.extra
    notes = []
    if extra.get("skipped"):
        items = "、".join(
            f"{name or _('(no item given)')} {n}" for name, n in extra["skipped_items"].items()
        )
        notes.append(
            _(
                "%(n)d rows of other taxes were skipped (only union funds are declarations):"
                " %(items)s."
            )
            % {"n": extra["skipped"], "items": items}
        )
    for key, message in (
        (
            "refunds",
            _("%(n)d refunds kept; a refund alone does not count as declaring (rows %(rows)s)."),
        ),
        ("repeated", _("%(n)d lines repeated exactly were counted once (rows %(rows)s).")),
        ("corrections", _("%(n)d same-day corrections replaced an earlier row (rows %(rows)s).")),
        (
            "other_taxpayer_ids",
            _(
                "%(n)d rows with an old-format taxpayer number were kept as unmatched (rows %(rows)s)."
            ),
        ),
    ):
        listed = extra.get(key) or []
        if listed:
            rows = "、".join(str(r["row"]) for r in listed[:20]) + ("…" if len(listed) > 20 else "")
            notes.append(message % {"n": len(listed), "rows": rows})
    return notes
