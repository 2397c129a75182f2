from dataclasses import dataclass, field

from .errors import RowError


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do). Its dict is the
    `--json` output of every import command."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    transferred: int = 0
    invalid: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "transferred": self.transferred,
            "invalid": self.invalid,
            "errors": [e.as_dict() for e in self.errors],
            **self.extra,
        }

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0
