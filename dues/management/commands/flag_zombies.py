from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dues.services import zombies_flag
from dues.zombies import reasons_text

from ._quarter import QuarterCommand, dumps


class Command(QuarterCommand):
    help = (
        "Flag suspected zombies: obligated enterprises with no declaration in each of the"
        " last N complete quarters (default: up to the last complete quarter)."
    )

    def handle(self, *args, **options):
        quarter = self.quarter(options)
        try:
            flags = zombies_flag(quarter=quarter)
        except ValidationError as error:
            self.fail(" ".join(error.messages), options)
        flags.sort(key=lambda f: (-f.score, f.enterprise.credit_code))
        if options["json"]:
            self.stdout.write(dumps(sorted(f.enterprise.credit_code for f in flags)))
            return
        for flag in flags:
            self.stdout.write(
                f"{flag.score:>4}  {flag.enterprise.credit_code}  {flag.enterprise.name}"
                f"  {reasons_text(flag.reasons)}"
            )
        self.stdout.write(_("%(n)d suspected zombies open.") % {"n": len(flags)})
