from django.utils.translation import gettext as _

from dues.services import snapshots_recompute, snapshots_recompute_all

from ._quarter import QuarterCommand, dumps


class Command(QuarterCommand):
    help = "Recompute the quarter snapshots of the declaration rate (all quarters with data by default)."

    def handle(self, *args, **options):
        quarter = self.quarter(options)
        if quarter is None:
            outcome = snapshots_recompute_all()
        else:
            outcome = snapshots_recompute(quarter=quarter)
        rows = [figures.as_dict() for figures in outcome.figures]
        if options["json"]:
            self.stdout.write(dumps(rows))
            return
        if not rows:
            self.stdout.write(_("No declarations on record: nothing to compute."))
            return
        for row in rows:
            scope = _("Whole street") if row["scope"] == "street" else row["scope"]
            rate = "—" if row["rate"] is None else f"{row['rate']}%"  # nothing obligated
            self.stdout.write(
                f"{row['quarter']}  {scope:<12}  {row['declared']:>6} / {row['obligated']:<6}"
                f"  {rate}"
            )
        self.stdout.write(
            _("%(new)d new snapshots or revisions, %(updated)d updated, %(same)d unchanged.")
            % {
                "new": len(outcome.created),
                "updated": len(outcome.updated),
                "same": outcome.unchanged,
            }
        )
