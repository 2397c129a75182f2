from services.importing import attendance_import
from services.models import Event

from ._sheets import SheetCommand


class Command(SheetCommand):
    help = (
        "Import an event's sign-in sheet (姓名, 身份证号, 签到): all or nothing;"
        " importing it again changes nothing."
    )
    target = ("event", Event, "title", "活动", "the event's id or exact title")

    def import_sheet(self, path, options, *, user, record):
        return attendance_import(source=path, event=record, by=user, dry_run=options["dry_run"])
