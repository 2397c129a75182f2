"""Issue 13's acceptance check, run on the demo street as an attacker with
each role would: through the same HTTP doors (Django's test client), on a
real SQLite database file, whose bytes are then searched for ID numbers.

    .venv/bin/python bench/security_acceptance.py [--db /tmp/acceptance.sqlite3]

Makes the database (migrate + load_demo) when the file is new. Prints one
line per check and exits 1 if any fails. CI runs it on a fresh file.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(db: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chunshu_union.settings.dev")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("REDIS_URL", None)  # tasks inline, as in `make demo`
    import django

    django.setup()
    # Refusals are what this script expects: not worth a traceback each.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from members.models import Member

    if not Member.objects.exists():
        call_command("load_demo", stdout=open(os.devnull, "w"))


def staff_cannot_take_over() -> str | None:
    from django.test import Client

    from accounts.models import ApiToken, User

    root = User.objects.get(username="staff1")
    staff = User.objects.get(username="staff2")
    client = Client()
    client.force_login(staff)
    answers = [
        client.post(
            f"/admin/accounts/user/{staff.pk}/change/",
            {"username": staff.username, "is_superuser": "on", "role": "staff"},
        ).status_code,
        client.post(
            f"/admin/accounts/user/{root.pk}/password/",
            {"password1": "taken-over-2017", "password2": "taken-over-2017"},
        ).status_code,
    ]
    client.post(
        "/admin/accounts/apitoken/add/",
        {
            "user": root.pk,
            "name": "mine now",
            "expires_at_0": "2030-01-01",
            "expires_at_1": "00:00",
        },
    )
    staff.refresh_from_db()
    root.refresh_from_db()
    if staff.is_superuser or staff.groups.filter(permissions__content_type__app_label="auth"):
        return "staff2 gained rights"
    if root.check_password("taken-over-2017"):
        return "staff2 set the superuser's password"
    if ApiToken.objects.filter(user=root, name="mine now").exists():
        return "staff2 minted a token for the superuser"
    if any(code not in (403, 404) for code in answers):
        return f"account pages answered {answers}"
    return None


def leader_gets_no_member_records() -> str | None:
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="leader"))
    response = client.get("/api/v1/members/")
    records = response.json().get("results", []) if response.status_code == 200 else []
    if records:
        return f"{len(records)} member records on the first page"
    return None


def chair_rebuilds_nothing() -> str | None:
    from django.test import Client

    from accounts.models import User
    from members.models import Member
    from tests.members.test_masking import api_responses, rebuilt

    client = Client()
    chair = User.objects.get(username="chair1")
    client.force_login(chair)
    texts = api_responses(client)
    texts += [client.get(url).content.decode() for url in ("/portal/", "/portal/members/")]
    found = rebuilt(texts, Member.objects.all())
    return f"{len(found)} full numbers rebuilt" if found else None


def _upload(client, rows) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from members.models import ImportBatch
    from tests.samples import xlsx

    client.post("/portal/imports/new/", {"file": SimpleUploadedFile("花名册.xlsx", xlsx(rows))})
    return ImportBatch.objects.latest("pk").pk


def roster_reveals_and_moves_nothing() -> str | None:
    from django.test import Client

    from accounts.models import User
    from members.models import Member, TransferRequest
    from tests.samples import person_row

    chair = User.objects.get(username="chair1")
    theirs = (
        Member.objects.filter(memberships__left_on__isnull=True)
        .exclude(memberships__enterprise__community=chair.community)
        .first()
    )
    before = (theirs.name, theirs.open_membership().enterprise_id)
    mine = chair.community.enterprises.first()
    row = person_row(1, mine.name, 身份证号=theirs.id_number, 姓名="冒名者", 性别="", 出生日期="")
    client = Client()
    client.force_login(chair)
    batch = _upload(client, [row])
    seen = "".join(
        client.get(url).content.decode()
        for url in (f"/portal/imports/{batch}/", f"/portal/imports/{batch}/rows/elsewhere/")
    )
    enterprise = theirs.open_membership().enterprise.name
    if theirs.name in seen or enterprise in seen:
        return "the preview shows the other community's member"
    client.post(f"/portal/imports/{batch}/confirm/", {})
    theirs.refresh_from_db()
    if (theirs.name, theirs.open_membership().enterprise_id) != before:
        return "the member was changed before staff decided"
    if not TransferRequest.objects.filter(member=theirs, state="pending").exists():
        return "no pending transfer request"
    return None


def no_full_number_in_the_file(db: Path) -> str | None:
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from members.id_numbers import make_id_number
    from members.models import Member
    from tests.samples import person_row

    chair = User.objects.get(username="chair2")
    mine = chair.community.enterprises.first()
    good = person_row(9001, mine.name)
    wrong = good["身份证号"][:17] + ("0" if good["身份证号"][17] != "0" else "1")
    faulty = person_row(9002, mine.name, 身份证号=wrong, 联系电话="123")
    client = Client()
    client.force_login(chair)
    _upload(client, [good, faulty])
    connection.close()
    with sqlite3.connect(db) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    blob = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    runs = set(re.findall(rb"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])", blob))
    numbers = {m.id_number.encode() for m in Member.objects.all()}
    numbers |= {wrong.encode(), good["身份证号"].encode(), make_id_number(wrong[:17]).encode()}
    leaked = runs & numbers
    return f"{len(leaked)} full numbers in the database file" if leaked else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/chunshu-acceptance.sqlite3"))
    args = parser.parse_args()
    setup(args.db.resolve())
    checks = [
        (
            "no non-superuser staff can grant rights, set a password or mint a token",
            staff_cannot_take_over,
        ),
        ("the leader gets zero member records through the API", leader_gets_no_member_records),
        ("zero ID numbers rebuilt from chair1's API and portal", chair_rebuilds_nothing),
        (
            "another community's member in a roster: nothing shown, nothing moved",
            roster_reveals_and_moves_nothing,
        ),
        (
            "no full ID number in the database file after a faulty roster",
            lambda: no_full_number_in_the_file(args.db.resolve()),
        ),
    ]
    failed = 0
    for title, check in checks:
        problem = check()
        failed += problem is not None
        print(f"{'FAIL' if problem else 'ok  '}  {title}{': ' + problem if problem else ''}")
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
