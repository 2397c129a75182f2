"""Reading the spreadsheets people send us: one reader for rosters,
enterprise lists, tax-bureau exports and sign-in sheets.

    table = read_table(uploaded_file, filename)          # or a path
    header = find_header(table, FIELDS)                  # aliases per field
    for record in header.records(table): ...             # row number + cells

Everything a user can get wrong raises `FileRejected` (a whole file that
cannot be read: exit 2) or is reported as a `RowError` (a row and column:
exit 1), always with a Chinese sentence and never with a traceback.

Two cell checks every importer shares, each with one sentence:

    for name in record.formulas(("name",)): fault(name, formula_message())
    if excel_damaged(text): fault(excel_number_message(_("credit code"), text))

(`normalize.looks_like_formula` under the first, typed or stored in the
file; `damage` for an identifier that Excel made a number.)
"""

from .errors import FileRejected, RowError
from .headers import Field, Header, find_header
from .reader import Table, read_table

__all__ = ["Field", "FileRejected", "Header", "RowError", "Table", "find_header", "read_table"]
