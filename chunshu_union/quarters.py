"""Quarters: the unit the union-funds figures are reported in.

`Quarter(2017, 3)` is a small frozen value; `str()` gives "2017Q3" and
`Quarter.parse("2017Q3")` reads it back, refusing anything else with a
Chinese message a user can act on.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import total_ordering

from django.utils import timezone

_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$")
_FIRST_MONTH = {1: 1, 2: 4, 3: 7, 4: 10}
_LAST_DAY = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


@total_ordering
@dataclass(frozen=True, slots=True)
class Quarter:
    year: int
    q: int

    def __post_init__(self):
        if not isinstance(self.year, int) or not 1900 <= self.year <= 9999:
            raise ValueError(f"年份 {self.year!r} 无效")
        if self.q not in (1, 2, 3, 4):
            raise ValueError(f"季度 {self.q!r} 无效：季度只能是 1 至 4")

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    def __lt__(self, other: Quarter) -> bool:
        if not isinstance(other, Quarter):
            return NotImplemented
        return (self.year, self.q) < (other.year, other.q)

    @classmethod
    def parse(cls, text: str | Quarter) -> Quarter:
        """Read "2017Q3" (also "2017q3", "2017 Q3"). Anything else raises
        ValueError with a Chinese message."""
        if isinstance(text, Quarter):
            return text
        match = _QUARTER_RE.match(str(text or ""))
        if not match:
            raise ValueError(
                f"无法识别的季度“{text}”：请写成“年份Q季度”，例如 2017Q3（季度为 1 至 4）"
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> Quarter:
        return cls.containing(timezone.localdate())

    @classmethod
    def last_complete(cls, day: datetime.date | None = None) -> Quarter:
        """The latest quarter that has ended by `day` (today by default)."""
        if day is None:
            day = timezone.localdate()
        return cls.containing(day).previous()

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, _FIRST_MONTH[self.q], 1)

    @property
    def last_day(self) -> datetime.date:
        month, day = _LAST_DAY[self.q]
        return datetime.date(self.year, month, day)

    @property
    def label(self) -> str:
        """Chinese label for people: "2017年第3季度"."""
        return f"{self.year}年第{self.q}季度"

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)

    def shift(self, n: int) -> Quarter:
        index = self.year * 4 + (self.q - 1) + n
        return Quarter(index // 4, index % 4 + 1)

    def contains(self, day: datetime.date) -> bool:
        return self.first_day <= day <= self.last_day

    def last_n(self, n: int) -> list[Quarter]:
        """The `n` quarters ending with this one, ascending."""
        return [self.shift(-i) for i in range(n - 1, -1, -1)]


def quarter_range(start: Quarter, end: Quarter) -> Iterator[Quarter]:
    """Quarters from `start` to `end`, both included, ascending."""
    current = start
    while current <= end:
        yield current
        current = current.next()


def quarters_between(start: datetime.date, end: datetime.date) -> list[Quarter]:
    """Every quarter touching the dates from `start` to `end`."""
    return list(quarter_range(Quarter.containing(start), Quarter.containing(end)))
