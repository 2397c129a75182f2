"""The dashboard's part of the demo street: the quarter snapshots, computed
from what the other apps loaded (so the figures are the data's, never typed
in). Idempotent: unchanged figures add no revision."""

from dashboard.services import dashboard_refresh


def load(*, federation, stdout) -> None:
    quarters = dashboard_refresh(federation=federation)
    if quarters:
        stdout.write(
            f"Dashboard: figures for {quarters[0]}–{quarters[-1]} ({len(quarters)} quarters)"
        )
