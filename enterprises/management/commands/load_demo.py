"""The demo street of the 2017 article. Idempotent: run it twice, get the
same street. Each app adds its part through `<app>.demo.load(...)`."""

import importlib
import time

from django.core.management.base import BaseCommand

from enterprises import demo
from enterprises.models import Enterprise
from members.demo import load_members
from members.models import Membership

#: Apps that add to the demo after the foundation, in order; each has a
#: `demo.load(federation=..., users=..., stdout=...)`.
LATER_STEPS = ("dues", "services", "dashboard")


class Command(BaseCommand):
    help = "Load the demo street (7 communities, 226 enterprises, 5,100 members)."

    def handle(self, *args, **options):
        started = time.monotonic()
        federation = demo.street()
        users = demo.load_users(federation)
        enterprises = demo.load_enterprises(federation, users["staff1"])
        staff = [users[f"staff{i}"] for i in range(1, 8)]
        load_members(enterprises, staff)
        for app in LATER_STEPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as missing:
                if missing.name != f"{app}.demo":
                    raise
                continue
            module.load(federation=federation, users=users, stdout=self.stdout)
        self.stdout.write(
            f"{federation.communities.count()} communities, "
            f"{Enterprise.objects.filter(community__federation=federation).count()} enterprises, "
            f"{Membership.objects.open().filter(enterprise__community__federation=federation).count()}"
            f" open memberships ({time.monotonic() - started:.1f}s). "
            f"Logins: staff1 (staff), chair1…chair7 (chairs), leader — password {demo.DEMO_PASSWORD}"
        )
