from chunshu_union.tabular.command import ImportCommand
from enterprises.importing import enterprise_import


class Command(ImportCommand):
    help = "Import enterprises from Excel or CSV (all or nothing; idempotent)."

    def run(self, path, options):
        return enterprise_import(source=path, dry_run=options["dry_run"])
