"""The demo street of the 2017 article. Idempotent: run it twice, get the
same street. Each step adds one app's part, in the order the data needs:
people and enterprises, members, union funds, the service year, and last
the dashboard's figures computed from all of them."""

import time

from django.core.management.base import BaseCommand

from demo import dashboard, dues, enterprises, members, services
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
        services.load(
            federation=federation, users=users, enterprises=street_enterprises, stdout=self.stdout
        )
        dashboard.load(federation=federation, stdout=self.stdout)
        self.stdout.write(
            f"{federation.communities.count()} communities, "
            f"{Enterprise.objects.filter(community__federation=federation).count()} enterprises, "
            f"{Membership.objects.open().filter(enterprise__community__federation=federation).count()}"
            f" open memberships ({time.monotonic() - started:.1f}s). "
            f"Logins: staff1 (staff), chair1…chair7 (chairs), leader — password"
            f" {enterprises.DEMO_PASSWORD}"
        )
