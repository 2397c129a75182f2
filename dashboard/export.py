"""The dashboard as an Excel workbook: a headline sheet and one sheet per
community, laid out for printing on A4 (fit to the page width, the title
rows repeated on every page). Every cell goes through `write_cell`, so no
text ever becomes a formula."""

from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from chunshu_union.tabular.export import write_cell

from . import sections

TITLE = Font(bold=True, size=14)
HEAD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="F0F2F4")
PERCENT = '0.00"%"'
_BAD_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _number(value):
    """Figures are stored as text where they are decimals ("83.16"); the
    sheet holds numbers so that a leader can compute with them."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, Decimal)):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return str(value)


class Sheet:
    """A worksheet written top to bottom."""

    def __init__(self, ws, title: str, subtitle: str):
        self.ws = ws
        self.row = 1
        write_cell(ws, 1, 1, title).font = TITLE
        write_cell(ws, 2, 1, subtitle)
        self.row = 4
        ws.print_title_rows = "1:2"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.oddFooter.center.text = _("Page &P of &N")
        ws.oddFooter.right.text = "&A"
        ws.column_dimensions["A"].width = 34
        for column in range(2, 9):
            ws.column_dimensions[get_column_letter(column)].width = 14

    def heading(self, text: str) -> None:
        self.row += 1
        write_cell(self.ws, self.row, 1, text).font = HEAD
        self.row += 1

    def header(self, values) -> None:
        for column, value in enumerate(values, start=1):
            cell = write_cell(self.ws, self.row, column, value)
            cell.font, cell.fill = HEAD, HEAD_FILL
            cell.alignment = Alignment(wrap_text=True)
        self.row += 1

    def line(self, values, percent_columns=()) -> None:
        for column, value in enumerate(values, start=1):
            cell = write_cell(self.ws, self.row, column, value)
            if column in percent_columns and isinstance(value, (int, Decimal)):
                cell.number_format = PERCENT
        self.row += 1

    def figure(self, label, value, unit: str = "") -> None:
        self.line([str(label), _number(value)], percent_columns=(2,) if unit == "%" else ())


def _rates(sheet: Sheet, scope) -> None:
    sheet.heading(_("Declaration of union funds"))
    sheet.figure(_("Declaration rate"), scope.rate, "%")
    sheet.figure(_("Target"), Decimal(str(settings.DECLARATION_RATE_TARGET)), "%")
    sheet.figure(_("Obligated enterprises"), scope.obligated)
    sheet.figure(_("Declared enterprises"), scope.declared)
    sheet.figure(_("Of which zero declarations"), scope.zero_declared)
    sheet.figure(_("Obligated but not declared"), scope.undeclared)


def _figures(sheet: Sheet, scope) -> None:
    units = {
        key: unit
        for section in (
            sections.MEMBERS,
            sections.COVERAGE,
            sections.ENTERPRISES,
            sections.SERVICES,
        )
        for key, _label, unit in section[1]
    }
    for section in scope.sections:
        sheet.heading(str(section["title"]))
        for row in section["rows"]:
            sheet.figure(row["label"], row["value"], units[row["key"]])
    welfare = sections.welfare_by_item(scope.figures)
    if welfare:
        sheet.heading(_("Welfare handouts by item"))
        for item, count in welfare:
            sheet.line([str(item), _number(count)])


def _revisions(sheet: Sheet, scope) -> None:
    sheet.row += 1
    sheet.line(
        [
            _("Rate snapshot revision"),
            scope.rate_revision,
            _("Figures snapshot revision"),
            scope.figures_revision,
        ]
    )


def _headline(ws, quarter, scopes, zombies, trend) -> None:
    street, communities = scopes[0], scopes[1:]
    sheet = Sheet(ws, _("Leadership dashboard · %(quarter)s") % {"quarter": quarter.label}, "")
    write_cell(ws, 2, 1, _("Whole street"))
    _rates(sheet, street)
    if zombies:
        sheet.heading(_("Suspected zombies"))
        for key, label in (
            ("flagged", _("Flagged")),
            ("verified_active", _("Verified active")),
            ("resolved", _("Resolved")),
            ("open", _("Still open")),
        ):
            sheet.figure(label, zombies.get(key))
    sheet.heading(_("Communities"))
    sheet.header(
        [_("Community"), _("Declaration rate"), _("Declared"), _("Obligated"), _("Not declared")]
    )
    for scope in communities:
        sheet.line(
            [scope.name, _number(scope.rate), scope.declared, scope.obligated, scope.undeclared],
            percent_columns=(2,),
        )
    _figures(sheet, street)
    if trend["quarters"]:
        sheet.heading(_("Declaration rate by quarter"))
        sheet.header([_("Scope"), *trend["quarters"]])
        for series in trend["series"]:
            sheet.line(
                [series["name"], *[_number(r) for r in series["rates"]]],
                percent_columns=range(2, 2 + len(trend["quarters"])),
            )
    _revisions(sheet, street)


def _community_sheet(ws, quarter, scope) -> None:
    sheet = Sheet(ws, scope.name, quarter.label)
    _rates(sheet, scope)
    _figures(sheet, scope)
    _revisions(sheet, scope)


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def sheet_name(name: str) -> str:
    return name.translate(_BAD_SHEET_CHARS)[:31]


def dashboard_workbook(*, quarter, scopes, zombies, trend) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name(_("Headline"))
    _headline(ws, quarter, scopes, zombies, trend)
    for scope in scopes[1:]:
        _community_sheet(wb.create_sheet(sheet_name(scope.name)), quarter, scope)
    return _save(wb)


def enterprise_list(title: str, enterprises) -> bytes:
    """The enterprises behind a figure: no personal data, only the
    enterprise's own public identifiers."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name(_("Enterprises"))
    sheet = Sheet(ws, title, "")
    ws.column_dimensions["B"].width = 22
    sheet.header(
        [
            _("No."),
            _("Unified social credit code"),
            _("Enterprise"),
            _("Building"),
            _("Headcount"),
            _("Union founded on"),
            _("Status today"),
        ]
    )
    for number, enterprise in enumerate(enterprises, start=1):
        sheet.line(
            [
                number,
                enterprise.credit_code,
                enterprise.name,
                enterprise.building.name if enterprise.building else "",
                enterprise.headcount,
                enterprise.union_founded_on,
                str(enterprise.get_status_display()),
            ]
        )
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["C"].width = 40
    return _save(wb)
