from dataclasses import asdict, dataclass


class FileRejected(Exception):
    """The file cannot be read at all. `message` is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class RowError:
    """One fault: `row` is the row number Excel shows, `column` the header as
    written in the file, `message` a sentence in Chinese."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)
