"""What the union-funds commands share: the --quarter option, the exit
status for bad input, and rates printed with two decimals in JSON."""

import json
import re
import sys

from django.core.management.base import BaseCommand

from chunshu_union.quarters import Quarter

_NUMBER = re.compile(r'"@num:([0-9.]+)"')


def dumps(value) -> str:
    """JSON with each Decimal written as a number with its two decimals
    (83.16, 74.00), not as a string or a float that drops the zeros."""
    text = json.dumps(value, ensure_ascii=False, default=lambda d: f"@num:{d}")
    return _NUMBER.sub(r"\1", text)


class QuarterCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--quarter", help="e.g. 2017Q3")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def quarter(self, options) -> Quarter | None:
        """The --quarter given, or None; a bad one ends the command (exit 2)
        with the Chinese message, writing nothing."""
        if not options.get("quarter"):
            return None
        try:
            return Quarter.parse(options["quarter"])
        except ValueError as error:
            self.fail(str(error), options)

    def fail(self, message: str, options) -> None:
        if options.get("json"):
            self.stdout.write(dumps({"error": message}))
        else:
            self.stderr.write(message)
        sys.exit(2)
