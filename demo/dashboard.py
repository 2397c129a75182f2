"""The dashboard's part of the demo street: the quarter snapshots, computed
from what the other apps loaded (so the figures are the data's, never typed
in). Idempotent: unchanged figures add no revision."""

from django.utils.translation import gettext as _

from dashboard.services import dashboard_refresh


def load(*, federation, stdout) -> None:
    quarters = dashboard_refresh(federation=federation)
    if quarters:
        stdout.write(
            _("Dashboard: figures for %(first)s–%(last)s (%(n)d quarters).")
            % {"first": quarters[0], "last": quarters[-1], "n": len(quarters)}
        )
