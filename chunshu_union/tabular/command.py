"""The shape every import command shares: DESIGN's contract of exit codes
and `--json` output, and no traceback for anything a user can get wrong."""

import json
import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from .errors import FileRejected
from .result import ImportResult


class ImportCommand(BaseCommand):
    """Subclasses implement `run(path, options) -> ImportResult`."""

    supports_dry_run = True

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel (.xlsx, .xls), .ods or CSV file")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        if self.supports_dry_run:
            parser.add_argument(
                "--dry-run", action="store_true", help="check and report, write nothing"
            )

    def run(self, path: str, options: dict) -> ImportResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def handle(self, *args, **options):
        try:
            result = self.run(options["file"], options)
        except FileRejected as rejected:
            if options["json"]:
                self.stdout.write(json.dumps({"error": rejected.message}, ensure_ascii=False))
            else:
                self.stderr.write(
                    _("The file could not be read: %(why)s") % {"why": rejected.message}
                )
            sys.exit(2)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
        else:
            self.write_human(result, options)
        if result.exit_code:
            sys.exit(result.exit_code)

    def write_human(self, result: ImportResult, options: dict) -> None:
        for error in result.errors[:200]:
            where = _("row %(row)s") % {"row": error.row} if error.row else ""
            self.stderr.write(f"{where} [{error.column}] {error.message}")
        if len(result.errors) > 200:
            self.stderr.write(_("… and %(n)d more errors.") % {"n": len(result.errors) - 200})
        summary = (
            _(
                "created %(created)d, updated %(updated)d, unchanged %(unchanged)d,"
                " transferred %(transferred)d, invalid %(invalid)d"
            )
            % result.as_dict()
        )
        if not result.written:
            summary += " — " + _("nothing was written")
        self.stdout.write(summary)
