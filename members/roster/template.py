"""The blank roster a chair downloads: a title row, the columns the
importer knows, drop-downs for the coded columns and the community's
enterprises, and the ID column formatted as text (so Excel never turns a
number into 1.10102E+17)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from chunshu_union.tabular.export import write_cell

from .fields import CODE_LISTS, TEMPLATE_COLUMNS, YES_NO

ROWS = 2000
TEXT_COLUMNS = ("身份证号", "联系电话")
DATE_COLUMNS = ("出生日期", "入会日期")


def roster_template(*, community_name: str, enterprise_names: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "会员花名册"
    lists = workbook.create_sheet("选项")
    lists.sheet_state = "hidden"
    choices = {
        "所在企业": enterprise_names or ["（本社区暂无企业）"],
        "性别": ["男", "女"],
        # The national standards' names (GB 3304, GB/T 4658, GB/T 4762).
        "民族": CODE_LISTS["ethnicity"].names(),
        "文化程度": CODE_LISTS["education"].names(),
        "政治面貌": CODE_LISTS["political_status"].names(),
        "是否农民工": list(YES_NO),
        "是否劳模": list(YES_NO),
        "是否困难职工": list(YES_NO),
    }
    width = len(TEMPLATE_COLUMNS)
    title = write_cell(sheet, 1, 1, f"{community_name}联合工会 会员花名册")
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    write_cell(sheet, 2, 1, "填报单位：" + community_name)
    for column, name in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = write_cell(sheet, 3, column, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = 24 if name in ("所在企业", "身份证号") else 13
        if name in TEXT_COLUMNS:
            for row in range(4, 4 + ROWS):
                sheet.cell(row=row, column=column).number_format = "@"
        if name in DATE_COLUMNS:
            for row in range(4, 4 + ROWS):
                sheet.cell(row=row, column=column).number_format = "yyyy-mm-dd"
        if name in choices:
            _drop_down(sheet, lists, column, letter, name, choices[name])
    sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _drop_down(sheet, lists, column: int, letter: str, name: str, values: list[str]) -> None:
    for row, value in enumerate(values, start=1):
        write_cell(lists, row, column, value)
    source = f"{quote_sheetname(lists.title)}!${letter}$1:${letter}${len(values)}"
    validation = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="请从列表中选择",
        error=f"“{name}”请从下拉列表中选择。",
    )
    sheet.add_data_validation(validation)
    validation.add(f"{letter}4:{letter}{3 + ROWS}")
