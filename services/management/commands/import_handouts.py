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

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--batch", required=True, help="the batch's name or id")
        parser.add_argument("--date", help="the handout date for rows without one (2017-01-20)")

    def run(self, path, options):
        user = self.acting_user(options["user"])
        batch = self.pick(WelfareBatch.objects.for_user(user), options["batch"], "name", "批次")
        on = None
        if options.get("date"):
            try:
                on = parse_date(options["date"])
            except ValueError as error:
                raise FileRejected(str(error)) from None
        return handout_import(source=path, batch=batch, by=user, on=on, dry_run=options["dry_run"])
