"""National code lists (学历, 政治面貌, 民族, 性别): each standard's own table
as data, and one reader that accepts what offices write.

A list knows no app. Each entry is the standard's code and name, with the
short forms people type (硕士 for 硕士研究生毕业, 汉 for 汉族, 中共党员 for
中国共产党党员). `read()` turns a cell into the code it stores; `name()` shows
it. The roster template's drop-downs, the admin's choices and the exports are
all built from the same lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from chunshu_union.tabular.normalize import clean_text


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    #: Other ways offices write it; each must be unambiguous within its list.
    aliases: tuple[str, ...] = ()


class CodeList:
    """One standard's table, read forgivingly and stored strictly."""

    def __init__(self, standard: str, entries: list[Entry]):
        self.standard = standard
        self.entries = tuple(entries)
        self._names = {entry.code: entry.name for entry in self.entries}
        self._width = max(len(entry.code) for entry in self.entries)
        self._lookup: dict[str, str] = {}
        for entry in self.entries:
            for text in (entry.code, entry.name, *entry.aliases):
                key = _key(text)
                known = self._lookup.setdefault(key, entry.code)
                if known != entry.code:
                    raise ValueError(f"{standard}: “{text}” means both {known} and {entry.code}")

    def read(self, value) -> str | None:
        """The code for a cell as typed, or None when the list does not know
        it. A code that Excel stored as a number (1 for 01) is read too."""
        key = _key(value)
        if key.isdigit() and len(key) < self._width:
            key = key.zfill(self._width)
        return self._lookup.get(key)

    def name(self, code: str) -> str:
        return self._names.get(code, code)

    def choices(self) -> list[tuple[str, str]]:
        return [(entry.code, entry.name) for entry in self.entries]

    def names(self) -> list[str]:
        """The standard's names, in its order: a template's drop-down."""
        return [entry.name for entry in self.entries]

    def __contains__(self, code: str) -> bool:
        return code in self._names


def _key(value) -> str:
    # Spaces inside a term are typing slips (中共 党员); Latin letters of a
    # letter code are read in either case.
    return clean_text(value).replace(" ", "").upper()
