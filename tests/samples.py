"""Roster files made in code, for the tests and the benchmarks (bench/
imports it from the repository root): valid people, and the workbook
formats chairs send. Test code, so it lives under tests/, not in the app."""

from __future__ import annotations

import csv
import datetime
import io

from members.id_numbers import make_id_number
from members.roster.fields import TEMPLATE_COLUMNS

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
# The enterprise most roster tests upload for (the conftest's `acme`).
ACME = "北京椿树一号科技有限公司"


def id_number_for(n: int, *, female: bool | None = None) -> str:
    """A valid, distinct number for each n (birth dates spread over 40 years)."""
    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=(n * 37) % 14600)
    sequence = (n // 14600) % 500 * 2 + (n % 2 if female is None else (0 if female else 1))
    area = 110101 + (n // 7_300_000)
    number = make_id_number(f"{area:06d}{birth:%Y%m%d}{sequence:03d}")
    # A number ending in 000 looks like one Excel damaged, and is refused:
    # such a person is registered in 天津 instead (codes no other n uses).
    for other in _OTHER_AREAS:
        if not number.endswith("000"):
            break
        number = make_id_number(f"{other}{birth:%Y%m%d}{sequence:03d}")
    return number


_OTHER_AREAS = ("120101", "120102", "120103", "120104", "120105", "120106")


def person_row(n: int, enterprise: str, **overrides) -> dict:
    number = id_number_for(n)
    row = {
        "姓名": SURNAMES[n % len(SURNAMES)] + GIVEN[(n // 3) % len(GIVEN)] + GIVEN[n % 7],
        "身份证号": number,
        "性别": "男" if int(number[16]) % 2 else "女",
        "出生日期": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
        "所在企业": enterprise,
        "入会日期": "2016-03-01",
        "联系电话": f"13{n % 10}{n:08d}"[:11],
        "民族": "汉族",
        "文化程度": "本科",
        "政治面貌": "群众",
        "是否农民工": "否",
        "是否劳模": "否",
        "是否困难职工": "否",
    }
    row.update(overrides)
    return row


def people(n: int, enterprises: list[str], start: int = 0) -> list[dict]:
    return [person_row(i, enterprises[i % len(enterprises)]) for i in range(start, start + n)]


def _matrix(rows: list[dict], header) -> list[list]:
    return [[row.get(column, "") for column in header] for row in rows]


def xlsx(
    rows: list[dict],
    *,
    header=TEMPLATE_COLUMNS,
    title: str | None = "椿树街道 会员花名册",
    raw_rows: list[list] | None = None,
    write_only: bool = False,
) -> bytes:
    """An .xlsx with an optional merged title row and a 填报单位 line above
    the header. `raw_rows` are appended as given (numbers stay numbers;
    strings starting with = become formulas, as openpyxl writes them)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet() if write_only else workbook.active
    if title:
        sheet.append([title])
        if not write_only:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        sheet.append(["填报单位：椿树街道总工会"])
    sheet.append(list(header))
    for values in _matrix(rows, header):
        sheet.append(values)
    for values in raw_rows or []:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xls(rows: list[dict], *, header=TEMPLATE_COLUMNS) -> bytes:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("花名册")
    sheet.write(0, 0, "会员花名册")
    for column, name in enumerate(header):
        sheet.write(1, column, name)
    for line, values in enumerate(_matrix(rows, header), start=2):
        for column, value in enumerate(values):
            sheet.write(line, column, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[dict], *, header=TEMPLATE_COLUMNS, encoding: str = "utf-8") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(_matrix(rows, header))
    return text.getvalue().encode(encoding)
