"""The tax bureau's declaration details (申报明细), from Excel or CSV.

One row per declaration: 纳税人识别号 (the credit code), 纳税人名称, 征收项目,
税款所属期起, 税款所属期止, 计税依据, 税率, 应纳税额, 实缴金额, 申报日期.
Read with the shared reader (`chunshu_union.tabular`), all or nothing: any
faulty row and nothing is written, every fault reported with its row and
column. A row's natural key is (taxpayer, item, period, declaration date):
the same file twice changes nothing, and an overlapping newer export updates
the rows whose amounts changed. Rows whose taxpayer matches no enterprise
are kept (unmatched) and counted apart.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union.tabular import Field, RowError, find_header, read_table
from chunshu_union.tabular.normalize import clean_name, clean_text, looks_like_formula, parse_date
from chunshu_union.tabular.result import ImportResult
from enterprises.credit_codes import credit_code_error, normalize_credit_code
from enterprises.models import Enterprise

from .locks import job_lock
from .models import Declaration

FIELDS = [
    Field(
        "credit_code",
        (
            "纳税人识别号",
            "统一社会信用代码",
            "社会信用代码",
            "纳税人识别号(统一社会信用代码)",
            "信用代码",
        ),
        required=True,
    ),
    Field("taxpayer_name", ("纳税人名称", "企业名称", "单位名称", "缴费人名称"), required=True),
    Field("item", ("征收项目", "征收品目", "项目", "费种")),
    Field(
        "period_start", ("税款所属期起", "所属期起", "费款所属期起", "税款所属期始"), required=True
    ),
    Field(
        "period_end", ("税款所属期止", "所属期止", "费款所属期止", "税款所属期终"), required=True
    ),
    Field("base", ("计税依据", "计费依据", "缴费基数", "计征依据")),
    Field("rate", ("税率", "费率", "征收率", "税率(征收率)")),
    Field("amount_due", ("应纳税额", "应缴金额", "应缴费额", "应纳费额", "应补(退)税额")),
    Field("amount_paid", ("实缴金额", "已缴金额", "实缴税额", "已缴税额", "实缴费额")),
    Field("declared_on", ("申报日期", "申报时间", "填报日期"), required=True),
    Field("is_zero", ("零申报", "是否零申报")),
]
MONEY = ("base", "amount_due", "amount_paid")
DEFAULT_ITEM = "工会经费"
_COMPARED = ("taxpayer_name", "base", "rate", "amount_due", "amount_paid", "is_zero")


@dataclass
class Parsed:
    row: int
    values: dict

    @property
    def key(self) -> tuple:
        v = self.values
        return (v["credit_code"], v["item"], v["period_start"], v["period_end"], v["declared_on"])


def _decimal(value, *, places: int = 2) -> Decimal:
    text = clean_text(value).replace(",", "").replace("，", "").removesuffix("%")
    if not text:
        return Decimal(0)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not an amount.") % {"value": text}) from None
    if not number.is_finite():
        raise ValueError(_("“%(value)s” is not an amount.") % {"value": text})
    if number < 0:
        raise ValueError(_("The amount cannot be negative (%(value)s).") % {"value": text})
    return number.quantize(Decimal(1).scaleb(-places))


def _rate(value) -> Decimal:
    """0.02, 2% and 2 all mean two per cent."""
    text = clean_text(value)
    number = _decimal(value, places=6)
    if text.endswith("%") or number > 1:
        number = number / 100
    return number.quantize(Decimal("0.0001"))


def _parse_row(record, header, today) -> tuple[dict, list[RowError]]:
    errors: list[RowError] = []

    def fault(name: str, message: str) -> None:
        errors.append(RowError(record.row, header.title(name), message))

    values: dict = {}
    code = normalize_credit_code(clean_text(record["credit_code"]))
    problem = credit_code_error(code) if code else _("The taxpayer ID (credit code) is missing.")
    if problem:
        fault("credit_code", problem)
    values["credit_code"] = code
    if looks_like_formula(record["taxpayer_name"]):
        fault("taxpayer_name", _("The cell starts with = + - or @ and looks like a formula."))
    values["taxpayer_name"] = clean_name(record["taxpayer_name"])
    if not values["taxpayer_name"]:
        fault("taxpayer_name", _("The taxpayer name is missing."))
    values["item"] = clean_text(record["item"]) or DEFAULT_ITEM
    for name in ("period_start", "period_end", "declared_on"):
        try:
            values[name] = parse_date(record[name])
        except ValueError as error:
            fault(name, str(error))
            continue
        if values[name] is None:
            fault(name, _("The date is missing."))
    start, end, filed = (
        values.get("period_start"),
        values.get("period_end"),
        values.get("declared_on"),
    )
    if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
        fault(
            "period_end",
            _("The tax period ends (%(end)s) before it starts (%(start)s).")
            % {"end": end, "start": start},
        )
    if isinstance(filed, datetime.date) and filed > today:
        fault("declared_on", _("The declaration date is in the future."))
    for name in MONEY:
        try:
            values[name] = _decimal(record[name])
        except ValueError as error:
            fault(name, str(error))
    try:
        values["rate"] = _rate(record["rate"])
    except ValueError as error:
        fault("rate", str(error))
    values["is_zero"] = _is_zero(record["is_zero"], values)
    return values, errors


def _is_zero(cell, values) -> bool:
    text = clean_text(cell)
    if text in ("是", "Y", "y", "1", "√", "零申报"):
        return True
    if text in ("否", "N", "n", "0"):
        return False
    return values.get("amount_due", Decimal(1)) == 0 and values.get("base", Decimal(1)) == 0


def declaration_import(
    *, source, filename: str = "", dry_run: bool = False, by=None, today=None
) -> ImportResult:
    """Read, check every row, then write all of it or nothing."""
    today = today or timezone.localdate()
    table = read_table(source, filename)
    header, rows = find_header(table, FIELDS)
    result = ImportResult()
    parsed: list[Parsed] = []
    seen: dict[tuple, int] = {}
    for record in header.records(table, after=rows):
        values, errors = _parse_row(record, header, today)
        item = Parsed(record.row, values)
        if not errors:
            if item.key in seen:
                errors.append(
                    RowError(
                        record.row,
                        header.title("credit_code"),
                        _("The same declaration already appears in row %(row)d.")
                        % {"row": seen[item.key]},
                    )
                )
            else:
                seen[item.key] = record.row
        if errors:
            result.invalid += 1
            result.errors.extend(errors)
        else:
            parsed.append(item)
    if result.errors or dry_run:
        _plan(parsed, result, write=False)
        return result
    with job_lock("dues.rates"):
        _plan(parsed, result, write=True)
    result.written = True
    return result


def _plan(parsed: list[Parsed], result: ImportResult, *, write: bool) -> None:
    codes = {p.values["credit_code"] for p in parsed}
    enterprises = dict(
        Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", "pk")
    )
    existing = {
        (d.credit_code, d.item, d.period_start, d.period_end, d.declared_on): d
        for d in Declaration.objects.filter(credit_code__in=codes)
    }
    new, changed = [], []
    for p in parsed:
        enterprise_id = enterprises.get(p.values["credit_code"])
        current = existing.get(p.key)
        if current is None:
            new.append(Declaration(enterprise_id=enterprise_id, **p.values))
            result.created += 1
            continue
        diff = [k for k in _COMPARED if getattr(current, k) != p.values[k]]
        if current.enterprise_id != enterprise_id:
            diff.append("enterprise_id")
        if not diff:
            result.unchanged += 1
            continue
        for k in diff:
            setattr(current, k, enterprise_id if k == "enterprise_id" else p.values[k])
        changed.append(current)
        result.updated += 1
    unmatched = sorted({p.values["credit_code"] for p in parsed} - set(enterprises))
    result.extra["unmatched"] = len([p for p in parsed if p.values["credit_code"] in unmatched])
    result.extra["unmatched_taxpayers"] = unmatched
    if write:
        Declaration.objects.bulk_create(new, batch_size=2000)
        now = timezone.now()
        for d in changed:
            d.updated_at = now
        Declaration.objects.bulk_update(
            changed, [*_COMPARED, "enterprise_id", "updated_at"], batch_size=2000
        )
