"""What a roster import keeps of a file's faults.

The first ROSTER_FAULTY_ROWS_KEPT faulty rows are kept whole (their faults,
and their cells for the error report), and every fault is counted per
column: a file of 200,000 bad rows leaves kilobytes in its batch, not the
hundreds of megabytes it once did, and the chair fixes the first rows and
uploads again.

The cells are the chair's own file, full ID numbers included, so the batch
keeps them sealed (AES-GCM with the field key, `chunshu_union.crypto`) and
opens them only to build the chair's error report. The messages are kept in
clear; none is meant to hold an ID number, and `redact` masks any that a
misplaced column would put there.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from django.conf import settings

from chunshu_union import crypto
from chunshu_union.tabular import RowError
from chunshu_union.tabular.normalize import cell_text

from ..id_numbers import mask

#: A cell or a message longer than this is cut: a roster's cells are names,
#: numbers and dates, and a 30,000-character cell is a mistake to point at,
#: not to keep.
CELL_CHARS = 200
MESSAGE_CHARS = 300
#: Whatever the setting, the rows kept stop at about this many characters.
KEPT_CHARS = 1_000_000

_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9]{14,17}[0-9Xx](?![0-9A-Za-z])")


def redact(text: str) -> str:
    """Mask anything shaped like an ID number (15 to 18 characters)."""
    return _LONG_NUMBER.sub(lambda m: mask(m.group()), text)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class FaultKeeper:
    """Collects a file's faulty rows as the check finds them."""

    def __init__(self, titles: list[str], limit: int | None = None):
        self.titles = titles
        self.width = len(titles)
        self.column_of = {title: index for index, title in enumerate(titles)}
        # At least one: a faulty file always has a fault to show.
        self.limit = max(1, settings.ROSTER_FAULTY_ROWS_KEPT if limit is None else limit)
        self.rows: list[dict] = []
        self.errors: list[RowError] = []
        self.counts: Counter = Counter()
        self.total = 0
        self._chars = 0

    def add(self, record, faults: list[RowError]) -> None:
        self.total += len(faults)
        self.counts.update(f.column for f in faults)
        if len(self.rows) >= self.limit or self._chars >= KEPT_CHARS:
            return
        cells = [_cut(cell_text(c), CELL_CHARS) for c in record.raw[: self.width]]
        self.rows.append(
            {
                "row": record.row,
                "cells": cells,
                "faults": [
                    {
                        "col": self.column_of.get(f.column),
                        "column": f.column,
                        "message": _cut(f.message, MESSAGE_CHARS),
                    }
                    for f in faults
                ],
            }
        )
        self.errors.extend(faults)
        self._chars += sum(map(len, cells)) + sum(len(f.message) for f in faults)


def stored_faults(errors: list[RowError]) -> list[dict]:
    """The faults as the batch keeps them in clear: cut, and masked."""
    return [
        {"row": e.row, "column": e.column, "message": redact(_cut(e.message, MESSAGE_CHARS))}
        for e in errors
    ]


def seal_faulty_rows(*, header_row: int, titles: list[str], rows: list[dict]) -> str:
    """The ciphertext a batch keeps ("" when there is nothing to keep)."""
    if not rows:
        return ""
    data = {"header_row": header_row, "titles": titles, "rows": rows}
    return crypto.encrypt(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def open_faulty_rows(sealed: str) -> dict:
    """What `seal_faulty_rows` sealed: {header_row, titles, rows}."""
    if not sealed:
        return {"titles": [], "rows": []}
    return json.loads(crypto.decrypt(sealed))
