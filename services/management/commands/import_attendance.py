from services.importing import attendance_import
from services.models import Event

from ._sheets import SheetCommand


class Command(SheetCommand):
    help = (
        "Import an event's sign-in sheet (姓名, 身份证号, 签到): all or nothing;"
        " importing it again changes nothing."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--event", required=True, help="the event's id or exact title")

    def run(self, path, options):
        user = self.acting_user(options["user"])
        event = self.pick(Event.objects.for_user(user), options["event"], "title", "活动")
        return attendance_import(source=path, event=event, by=user, dry_run=options["dry_run"])
