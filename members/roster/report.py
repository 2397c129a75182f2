"""The error report: the faulty rows as the chair wrote them, the faulty
cells highlighted with a comment, and a column of explanations."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from chunshu_union.tabular.export import write_cell

FAULT_FILL = PatternFill("solid", fgColor="FFC7CE")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
EXPLANATION = "错误说明"


def error_report(error_rows: dict) -> bytes:
    """`error_rows` as stored on the batch: titles, and per row its number,
    cells and faults. Returns the .xlsx bytes."""
    titles = list(error_rows.get("titles") or [])
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "错误行"
    header = ["原行号", *titles, EXPLANATION]
    for column, title in enumerate(header, start=1):
        cell = write_cell(sheet, 1, column, title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for line, item in enumerate(error_rows.get("rows", []), start=2):
        write_cell(sheet, line, 1, item["row"])
        for column, value in enumerate(item["cells"], start=2):
            cell = write_cell(sheet, line, column, value)
            cell.number_format = "@"
        explanations = []
        for fault in item["faults"]:
            explanations.append(f"{fault['column']}：{fault['message']}")
            if fault.get("col") is not None:
                cell = sheet.cell(row=line, column=fault["col"] + 2)
                cell.fill = FAULT_FILL
                cell.comment = Comment(fault["message"], "椿树街道总工会")
        note = write_cell(sheet, line, len(header), "\n".join(explanations))
        note.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions[_letter(len(header))].width = 60
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _letter(n: int) -> str:

    return get_column_letter(n)
