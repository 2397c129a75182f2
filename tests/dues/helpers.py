"""Small builders for the union-funds tests."""

import datetime
from decimal import Decimal

from chunshu_union.quarters import Quarter
from dues.models import Declaration

#: The header row of the tax bureau's export of declarations, as its spreadsheet has it.
TAX_EXPORT_HEADER = [
    "纳税人识别号",
    "纳税人名称",
    "征收项目",
    "税款所属期起",
    "税款所属期止",
    "计税依据",
    "税率",
    "应纳税额",
    "实缴金额",
    "申报日期",
]


def declare(
    enterprise, quarter: str, *, zero=False, declared_on=None, end=None, start=None, **extra
):
    q = Quarter.parse(quarter)
    due = Decimal("0.00") if zero else Decimal("400.00")
    return Declaration.objects.create(
        enterprise=enterprise,
        credit_code=enterprise.credit_code if enterprise else extra.pop("credit_code"),
        taxpayer_name=enterprise.name if enterprise else extra.pop("taxpayer_name", "某公司"),
        period_start=start or q.first_day,
        period_end=end or q.last_day,
        base=Decimal("0.00") if zero else Decimal("20000.00"),
        rate=Decimal("0.0200"),
        amount_due=due,
        amount_paid=due,
        declared_on=declared_on or (q.last_day + datetime.timedelta(days=15)),
        is_zero=zero,
        **extra,
    )
