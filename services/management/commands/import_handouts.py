from chunshu_union.tabular import FileRejected
from chunshu_union.tabular.normalize import parse_date
from services.importing import handout_import
from services.models import WelfareBatch

from ._sheets import SheetCommand


class Command(SheetCommand):
    help = (
        "Import a welfare sign-off sheet (姓名, 身份证号, 签收日期) into a batch:"
        " all or nothing; importing it again changes nothing."
    )
    target = ("batch", WelfareBatch, "name", "批次", "the batch's name or id")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--date", help="the handout date for rows without one (2017-01-20)")

    def import_sheet(self, path, options, *, user, record):
        on = None
        if options.get("date"):
            try:
                on = parse_date(options["date"])
            except ValueError as error:
                raise FileRejected(str(error)) from None
        return handout_import(source=path, batch=record, by=user, on=on, dry_run=options["dry_run"])
