"""Writing cells that spreadsheets will never run as formulas."""

from .normalize import FORMULA_PREFIXES


def starts_like_formula(value) -> bool:
    return isinstance(value, str) and value[:1] in FORMULA_PREFIXES


def safe_csv_value(value):
    """For CSV: a string starting with = + - @, tab or CR (or their
    full-width forms) gets a leading apostrophe (OWASP CSV injection)."""
    return "'" + value if starts_like_formula(value) else value


def write_cell(ws, row: int, column: int, value):
    """For openpyxl: set a cell, forcing text type where the value would
    otherwise be stored as a formula. Returns the cell."""
    cell = ws.cell(row=row, column=column, value=value)
    if starts_like_formula(value):
        cell.value = value
        cell.data_type = "s"
    return cell


def append_row(ws, values) -> None:
    """ws.append() for untrusted values."""
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        write_cell(ws, row, column, value)
