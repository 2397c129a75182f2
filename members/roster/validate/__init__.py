"""Turning roster rows into clean values, or into faults a chair understands.

Two checkers, one set of rules:

- `rows.py`, the reference row checker (`RowRules.check`): one row at a
  time, every rule written out plainly, every fault worded. Read this one to
  know what the roster accepts.
- `columns.py`, the fast column checker (`RowChecker.check_rows`, what the
  import runs): each column looked at whole, each distinct value parsed
  once; a row it finds plainly valid becomes a RosterRow without a Record,
  and any other row goes to `check`, so it never words a fault itself.

How to add a rule
-----------------
1. In `rows.py`: write the rule in `RowRules.check` (or the helper it calls
   for that column), with its sentence as a translatable msgid; a parser
   that several rows share goes in `_CODED` or behind `self._memo`.
2. In `columns.py`: make `check_rows` send every row the rule might refuse
   to `check` (`_mark(slow, column, values)`, or `slow[i] = 1`). Marking too
   many rows only costs time; marking too few lets a faulty row in.
3. Add the case to `test_check_rows_gives_what_check_gives_row_by_row`
   (tests/members/test_roster_import.py): the same file through both paths
   must give the same rows and the same faults. Then a test of the rule
   itself, through the import as a chair would meet it.
4. A rule about a cell any importer reads (a formula, a number Excel
   damaged) belongs in `chunshu_union.tabular`, not here.
"""

from .columns import RowChecker
from .rows import EnterpriseIndex, RosterRow, RowRules, _plainly_valid

__all__ = ["EnterpriseIndex", "RosterRow", "RowChecker", "RowRules", "_plainly_valid"]
