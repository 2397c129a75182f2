from django.utils.translation import gettext as _

from chunshu_union.tabular.command import ImportCommand
from dues.importer import declaration_import
from dues.importing import result_notes


class Command(ImportCommand):
    help = (
        "Import the tax bureau's declaration details: union-fund rows only, the other taxes"
        " skipped and counted (all or nothing; idempotent)."
    )

    def run(self, path, options):
        return declaration_import(source=path, dry_run=options["dry_run"])

    def write_human(self, result, options):
        super().write_human(result, options)
        if result.extra.get("unmatched"):
            self.stdout.write(
                _("%(n)d declarations match no enterprise (unmatched, kept and listed).")
                % {"n": result.extra["unmatched"]}
            )
        for note in result_notes(result):
            self.stdout.write(note)
