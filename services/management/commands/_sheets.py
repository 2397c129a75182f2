"""What the two sign-sheet commands share: who acts, and finding the batch
or event named on the command line (a refusal is exit 2, in Chinese)."""

from django.utils.translation import gettext as _

from accounts.models import User
from chunshu_union.tabular import FileRejected
from chunshu_union.tabular.command import ImportCommand


class SheetCommand(ImportCommand):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--user", required=True, help="the staff or chair account the sheet is recorded by"
        )

    @staticmethod
    def acting_user(username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise FileRejected(_("There is no active account “%(name)s”.") % {"name": username})
        return user

    @staticmethod
    def pick(qs, key: str, field: str, what: str):
        found = qs.filter(pk=int(key)) if key.isdigit() else qs.filter(**{field: key})
        if found.count() != 1:
            raise FileRejected(
                _("No single %(what)s matches “%(key)s”.") % {"what": what, "key": key}
            )
        return found.get()
