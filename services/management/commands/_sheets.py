"""What the two sign-sheet commands share: who acts, and finding the batch
or event named on the command line (a refusal is exit 2, in Chinese). A
command says which record its sheet is for (`target`) and imports the sheet
(`import_sheet`)."""

from django.utils.translation import gettext as _

from accounts.models import User
from chunshu_union.tabular import FileRejected
from chunshu_union.tabular.command import ImportCommand


class SheetCommand(ImportCommand):
    #: The record the sheet is for: (its command-line option, its model, the
    #: field its name is typed from, the word for it in a refusal, the
    #: option's help). The option takes the record's id or that exact name.
    target: tuple[str, type, str, str, str]

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--user", required=True, help="the staff or chair account the sheet is recorded by"
        )
        option, _model, _field, _what, help_text = self.target
        parser.add_argument(f"--{option}", required=True, help=help_text)

    def run(self, path, options):
        user = self.acting_user(options["user"])
        option, model, field, what, _help = self.target
        record = self.pick(model.objects.for_user(user), options[option], field, what)
        return self.import_sheet(path, options, user=user, record=record)

    def import_sheet(self, path, options, *, user, record):  # pragma: no cover - abstract
        raise NotImplementedError

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
