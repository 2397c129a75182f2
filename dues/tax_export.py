"""What the tax bureau's export looks like: the column names the real
systems use (docs/UNION_FUNDS.md lists them), how the header row says where
the tax period is, and how its cells read (amounts as a display format shows
them, rates, one-cell periods, the item that makes a row union funds). The
rows and the file are read in `dues.importing`."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from chunshu_union.tabular import Field, FileRejected
from chunshu_union.tabular.normalize import clean_name, clean_text

FIELDS = [
    Field(
        "credit_code",
        (
            "纳税人识别号",
            "纳税人识别号码",
            "缴费人识别号",
            "缴费人识别号码",
            "统一社会信用代码",
            "社会信用代码",
            "纳税人识别号(统一社会信用代码)",
            "纳税人识别号/统一社会信用代码",
            "信用代码",
            "税号",
            "识别号",
        ),
        required=True,
    ),
    Field(
        "taxpayer_name",
        ("纳税人名称", "缴费人名称", "企业名称", "单位名称", "缴费单位名称", "缴费单位"),
        required=True,
    ),
    Field("item", ("征收项目", "征收项目名称", "项目", "费种", "税种", "税(费)种", "税费种类")),
    Field("sub_item", ("征收品目", "征收品目名称", "品目", "品目名称")),
    Field("period_start", ("税款所属期起", "所属期起", "费款所属期起", "税款所属期始")),
    Field("period_end", ("税款所属期止", "所属期止", "费款所属期止", "税款所属期终")),
    Field("base", ("计税依据", "计费依据", "缴费基数", "计征依据", "计税(费)依据")),
    Field("rate", ("税率", "费率", "征收率", "税率(征收率)", "税(费)率")),
    Field(
        "amount_due",
        (
            "应纳税额",
            "应缴金额",
            "应缴费额",
            "应纳费额",
            "应补(退)税额",
            "应补(退)费额",
            "应补(退)税(费)额",
            "本期应补(退)税额",
            "本期应补(退)费额",
        ),
    ),
    Field(
        "amount_paid",
        (
            "实缴金额",
            "已缴金额",
            "实缴税额",
            "已缴税额",
            "实缴费额",
            "实缴(退)金额",
            "实缴(退)税额",
            "实缴(退)费额",
            "入库金额",
        ),
    ),
    Field("declared_on", ("申报日期", "纳税申报日期", "缴费申报日期", "申报时间", "填报日期")),
    Field("paid_on", ("入库日期", "入库时间", "缴款日期", "实缴日期", "缴费日期")),
    Field("is_zero", ("零申报", "是否零申报", "申报类型", "申报属性")),
]
MONEY = ("base", "amount_due", "amount_paid")
UNION_FUNDS = "工会经费"
_NOT_DECLARATIONS = ("滞纳金", "罚款", "罚没")
_TOTALS = ("合计", "总计", "小计", "共计")
_BRACKETED = re.compile(r"\([^)]*\)")
# --- The header ----------------------------------------------------------------

_PERIOD_TITLE = re.compile(
    r"所属(?:期间|时期|日期|期)"
    r"(起止|起讫|起迄|起始|开始|截止|结束|起|始|自|止|终|讫|至)?(?:日期|时间)?$"
)
_PERIOD_PART = {"起始": "period_start", "开始": "period_start", "起": "period_start"}
_PERIOD_PART |= {"始": "period_start", "自": "period_start"}
_PERIOD_PART |= {s: "period_end" for s in ("截止", "结束", "止", "终", "讫", "至")}


def _period_kind(title: str) -> str | None:
    """税款所属期起 → period_start, 税费所属期间止 → period_end, 费款所属期起止
    → period (one column); 所属期（起） and 税(费)款所属期止 too."""
    text = re.sub(r"[\s*＊:：]", "", clean_text(title))
    for candidate in (re.sub(r"[()【】\[\]]", "", text), _BRACKETED.sub("", text)):
        match = _PERIOD_TITLE.search(candidate)
        if match:
            return _PERIOD_PART.get(match.group(1) or "", "period")
    return None


@dataclass
class Layout:
    """What the header row says about the file."""

    one_column_period: bool
    date_field: str  # declared_on, or paid_on when the file has only 入库日期


def read_layout(header) -> Layout:
    """Complete the header with the period columns, whatever the system
    calls them, and refuse a file that has no period or no date at all."""
    for index, title in enumerate(header.raw_titles):
        kind = _period_kind(title)
        if kind and kind not in header.columns and index not in header.columns.values():
            header.columns[kind] = index
            header.titles[kind] = title.strip()
    columns = header.columns
    two = "period_start" in columns and "period_end" in columns
    missing = []
    if not two and "period" not in columns:
        missing += ["税款所属期起", "税款所属期止"]
    if "declared_on" not in columns and "paid_on" not in columns:
        missing.append("申报日期")
    if missing:
        names = "、".join(f"“{name}”" for name in missing)
        raise FileRejected(
            _(
                "Could not find the header row: the columns %(names)s are missing. Please use"
                " the template, or check that the column titles are in one row."
            )
            % {"names": names}
        )
    return Layout(
        one_column_period=not two,
        date_field="declared_on" if "declared_on" in columns else "paid_on",
    )


# --- Cells -------------------------------------------------------------------


#: What a display format adds to an amount when a system exports the shown
#: text (a web-page "xls"): the currency sign, thousands separators, spaces.
_AMOUNT_DECORATION = re.compile(r"[¥￥,，\s]|^RMB|^CNY|元$")
#: Excel's accounting format shows zero as a lone dash.
_DASHES = {"-", "－", "—", "–"}


def amount_text(value) -> str:
    """An amount as the file shows it, reduced to a number's text:
    ¥61,728.40 → 61728.40, ¥- → 0, (100.00) → -100.00 (accounting)."""
    text = _AMOUNT_DECORATION.sub("", clean_text(value)).removesuffix("%")
    if text in _DASHES:
        return "0"
    if text.startswith(("(", "（")) and text.endswith((")", "）")):
        return "-" + text[1:-1]
    return text


def amount(value, *, places: int = 2, digits: int = 12) -> Decimal:
    text = amount_text(value)
    if not text:
        return Decimal(0)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not an amount.") % {"value": text}) from None
    if not number.is_finite():
        raise ValueError(_("“%(value)s” is not an amount.") % {"value": text})
    if abs(number) >= 10**digits:
        raise ValueError(_("“%(value)s” is too large for an amount.") % {"value": text})
    return number.quantize(Decimal(1).scaleb(-places))


def rate(value) -> Decimal:
    """0.02, 2% and 2 all mean two per cent."""
    text = clean_text(value)
    number = amount(value, places=6, digits=3)
    if text.endswith("%") or number > 1:
        number = number / 100
    return number.quantize(Decimal("0.0001"))


_FULL_DATE = re.compile(
    r"(?<!\d)(\d{4})(?:\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))(?!\d)"
)
_MONTH = re.compile(r"(?<!\d)(\d{4})(?:\s*[.\-/年]\s*(\d{1,2})\s*月?|(\d{2}))(?!\d)")
_QUARTER = re.compile(r"(?<!\d)(\d{4})\s*(?:年\s*第?\s*([1-4一二三四])\s*季度?|[Qq]\s*([1-4]))")
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


def parse_period(value) -> tuple[datetime.date, datetime.date] | None:
    """A tax period written in one cell: 2017-07-01至2017-09-30,
    2017.07.01-2017.09.30, 20170701-20170930, 2017年7月1日至2017年9月30日,
    2017-07至2017-09 (whole months), 201708 (one month), 2017年第3季度.
    Empty gives None; anything else raises ValueError with a sentence."""
    text = clean_text(value)  # a date cell reads as one date: not a period
    if not text:
        return None
    try:
        days = [
            _date(m.group(1), m.group(2) or m.group(4), m.group(3) or m.group(5))
            for m in _FULL_DATE.finditer(text)
        ]
        if len(days) == 2:
            return days[0], days[1]
        quarter = None if days else _QUARTER.search(text)
        if quarter:
            year, q = int(quarter.group(1)), quarter.group(2) or quarter.group(3)
            q = _CHINESE_DIGITS.get(q) or int(q)
            return _date(year, 3 * q - 2, 1), _month_end(year, 3 * q)
        months = [] if days else list(_MONTH.finditer(text))
        if len(months) in (1, 2):
            (y1, m1), (y2, m2) = (
                (int(m.group(1)), int(m.group(2) or m.group(3))) for m in (months[0], months[-1])
            )
            return _date(y1, m1, 1), _month_end(y2, m2)
    except ValueError:
        pass
    raise ValueError(
        _("“%(value)s” is not a tax period; write its start and end, like 2017-07-01至2017-09-30.")
        % {"value": text}
    )


def _date(year, month, day) -> datetime.date:
    return datetime.date(int(year), int(month), int(day))


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def is_zero(cell, values) -> bool:
    text = clean_text(cell)
    if text in ("是", "Y", "y", "1", "√", "零申报"):
        return True
    if text in ("否", "N", "n", "0"):
        return False
    return values.get("amount_due", Decimal(1)) == 0 and values.get("base", Decimal(1)) == 0


def is_union_funds(name: str) -> bool:
    """工会经费, 工会经费（代征）, 代征工会经费 — not 工会经费滞纳金."""
    return _BRACKETED.sub("", name).replace(" ", "").endswith(UNION_FUNDS)


def item_of(record) -> tuple[str, str, str]:
    """(kind, item name, sub-item name); kind is union, other or blank."""
    item, sub = clean_text(record["item"]), clean_text(record["sub_item"])
    names = [n for n in (item, sub) if n]
    if not names:
        return "blank", item, sub
    fee = next((n for n in reversed(names) if any(w in n for w in _NOT_DECLARATIONS)), None)
    if fee:
        return "other", fee, sub
    if any(is_union_funds(n) for n in names):
        return "union", item, sub
    return "other", names[0], sub


def is_total(record) -> bool:
    """A line with neither taxpayer ID nor name: a total (合计, even written
    合 计), a subtotal or a note the header module did not recognise."""
    return not clean_text(record["credit_code"]) and not clean_name(record["taxpayer_name"])
