from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from chunshu_union.tabular.command import ImportCommand
from enterprises.models import Community
from members.roster.services import roster_import


class Command(ImportCommand):
    help = (
        "Import a member roster from Excel or CSV: all or nothing unless --skip-invalid;"
        " importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--community", help="only enterprises of this community (name, e.g. 椿树园社区)"
        )
        parser.add_argument(
            "--skip-invalid", action="store_true", help="write the valid rows, report the rest"
        )
        parser.add_argument("--report", metavar="OUT.xlsx", help="write the faulty rows here")

    def run(self, path, options):
        community = _community(options["community"]) if options["community"] else None
        result, _batch = roster_import(
            source=path,
            filename=str(path),
            community=community,
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
            report_to=options["report"],
        )
        return result


def _community(name: str) -> Community:
    wanted = name.strip()
    for community in Community.objects.all():
        if wanted in (community.name, community.name.removesuffix("社区"), community.code):
            return community
    raise CommandError(
        _("There is no community called “%(name)s”.") % {"name": wanted}, returncode=2
    )
