"""The demo street of the 2017 article. Idempotent: run it twice, get the
same street. Each step adds one app's part, in the order the data needs:
people and enterprises, members, union funds, the service year, and last
the dashboard's figures computed from all of them."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from demo import dashboard, dues, enterprises, joining, members, services, surveys
from enterprises.models import Enterprise
from members.models import Membership


class Command(BaseCommand):
    help = "Load the demo street (7 communities, 226 enterprises, 5,100 members)."

    def handle(self, *args, **options):
        started = time.monotonic()
        federation = enterprises.street()
        users = enterprises.load_users(federation)
        street_enterprises = enterprises.load_enterprises(federation, users["staff1"])
        staff = [users[f"staff{i}"] for i in range(1, 8)]
        members.load_members(street_enterprises, staff)
        dues.load(
            federation=federation, users=users, enterprises=street_enterprises, stdout=self.stdout
        )
        # After the zombie visits (which held the closed enterprises' members):
        # some members past the statutory age held as retired (issue 17).
        members.load_lifecycle(street_enterprises, staff)
        services.load(
            federation=federation, users=users, enterprises=street_enterprises, stdout=self.stdout
        )
        surveys.load(federation=federation, users=users, stdout=self.stdout)
        joining.load(federation=federation, users=users, stdout=self.stdout)
        dashboard.load(federation=federation, stdout=self.stdout)
        open_members = Membership.objects.open()
        self.stdout.write(
            _(
                "%(communities)d communities, %(enterprises)d enterprises, %(members)d members"
                " (%(seconds).1f s). Sign in as staff1 (street staff), chair1…chair7"
                " (community chairs) or leader, password %(password)s"
            )
            % {
                "communities": federation.communities.count(),
                "enterprises": Enterprise.objects.filter(community__federation=federation).count(),
                "members": open_members.filter(
                    enterprise__community__federation=federation
                ).count(),
                "seconds": time.monotonic() - started,
                "password": enterprises.DEMO_PASSWORD,
            }
        )
