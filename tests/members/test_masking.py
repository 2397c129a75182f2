"""A masked ID number cannot be rebuilt, and leaders get no member records
(DESIGN, "Personal data").

The mask 110102********123X hides digits 7 to 14, the birth date. For each
role we fetch what an attacker holding that role's account would fetch —
every API list and detail page, the portal's pages, the admin's lists and
the audit log — and try to rebuild every member's full number from all of
it together: each date found anywhere, in any format, put into each mask,
kept if the check character agrees. Nothing may be rebuilt."""

import calendar
import datetime
import io
import re
import zipfile
from urllib.parse import urlsplit

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, get_resolver, reverse

from accounts.models import AccessLog, Role
from chunshu_union.quarters import Quarter
from dashboard.services import quarter_figures_compute
from dues.services import snapshots_recompute
from members.id_numbers import id_number_error
from members.models import Member
from tests.dues.helpers import declare
from tests.factories import MembershipFactory, id_number, street, user
from tests.test_url_access import walk

#: Birth dates spread over the calendar; each member's own date.
BIRTHS = ["19850312", "19791130", "19930704", "19680229", "20010915", "19571231", "19900101"]

MASK = re.compile(r"(\d{6})\*{8}(\d{3}[\dX])")
COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
SEPARATED = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
ENGLISH = re.compile(r"\b([A-Z][a-z]{2,8})\.? (\d{1,2}), (\d{4})\b")
MONTHS = {name: i for i, name in enumerate(calendar.month_name) if name} | {
    name: i for i, name in enumerate(calendar.month_abbr) if name
}


def dates_in(text: str) -> set[str]:
    """Every date the text holds, as the eight digits an ID number would."""
    found = set()
    for year, month, day in COMPACT.findall(text) + SEPARATED.findall(text):
        found.add(f"{int(year):04d}{int(month):02d}{int(day):02d}")
    for month, day, year in ENGLISH.findall(text):
        if month in MONTHS:
            found.add(f"{int(year):04d}{MONTHS[month]:02d}{int(day):02d}")
    return found


def rebuilt(texts: list[str], members) -> set[str]:
    """The full numbers an attacker gets by joining every mask with every
    date across all the responses (a wrong guess fails the check character
    ten times in eleven; the set keeps only the real ones)."""
    blob = "\n".join(texts)
    masks, dates = set(MASK.findall(blob)), dates_in(blob)
    # The same set as joining every mask with every date and keeping the
    # real numbers, asked the other way round: a real number is rebuilt when
    # its mask and its date are both shown. (Every pair would be masks ×
    # dates checks: millions once pages show many people and many dates.)
    return {
        number
        for number in (m.id_number for m in members)
        if (number[:6], number[14:]) in masks
        and number[6:14] in dates
        and id_number_error(number) is None
    }


def body(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if data.startswith(b"PK"):  # an Excel file: its sheets and shared strings
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "\n".join(
                book.read(name).decode("utf-8", "replace")
                for name in book.namelist()
                if name.endswith(".xml")
            )
    return data.decode("utf-8", "replace")


def api_responses(client) -> list[str]:
    """The API root, every list endpoint page by page, every detail."""
    root = client.get("/api/v1/")
    texts = [body(root)]
    for url in root.json().values():
        path = urlsplit(url).path
        page = path
        while page:
            response = client.get(page)
            texts.append(body(response))
            if response.status_code != 200:
                break
            data = response.json()
            for item in data.get("results", []):
                if "id" in item:
                    texts.append(body(client.get(f"{path}{item['id']}/")))
            page = data.get("next") and urlsplit(data["next"]).path + "?" + (
                urlsplit(data["next"]).query
            )
    return texts


def pages_without_parameters(client, namespaces) -> list[str]:
    texts = []
    for route, name in sorted(set(walk(get_resolver().url_patterns))):
        if name.split(":")[0] not in namespaces or "<" in route or "(?P" in route:
            continue
        response = client.get("/" + route.lstrip("^").replace("\\Z", "").replace("$", ""))
        if response.status_code == 200:
            texts.append(body(response))
    return texts


def admin_responses(client) -> list[str]:
    """Every admin list, and the pages of every object that names a member
    (log entries, memberships, transfers, coverage records) — but not a
    member's own page, which shows the number in clear and logs it."""
    texts = []
    member_type = ContentType.objects.get_for_model(Member)
    for model in admin.site._registry:
        opts = model._meta
        try:
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            continue
        response = client.get(changelist)
        if response.status_code == 200:
            texts.append(body(response))
        if model is LogEntry:
            objects = LogEntry.objects.filter(content_type=member_type)
        elif any(f.related_model is Member for f in opts.fields):
            objects = model._default_manager.all()[:5]
        else:
            continue
        for obj in objects:
            response = client.get(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            )
            if response.status_code == 200:
                texts.append(body(response))
    for member in Member.objects.all():
        texts.append(body(client.get(f"/admin/members/member/{member.pk}/history/")))
    assert LogEntry.objects.filter(content_type=member_type).exists()
    return texts


@pytest.fixture
def street_members(alices_enterprise, bobs_enterprise):
    """Members of alice's and bob's communities, each born on another day;
    made through the models, so the audit log records each one."""
    alices_enterprise.union_chair = "王大锤"
    alices_enterprise.save()
    members = []
    for i, birth in enumerate(BIRTHS):
        membership = MembershipFactory(
            enterprise=alices_enterprise if i % 2 == 0 else bobs_enterprise,
            member__id_number_value=id_number(900 + i, birth=birth, female=i % 3 == 0),
            member__name=f"成员{i}",
            member__phone=f"139{i:08d}",
        )
        members.append(membership.member)
    return members


@pytest.fixture
def root(db):
    return user("root", Role.STAFF, is_superuser=True)


def test_the_rebuild_finds_a_number_when_the_date_is_there(street_members):
    """The attacker of these tests is real: a mask and the date, in any of
    the formats pages use, give the number back."""
    member = street_members[0]
    born = member.birth_date
    for shown in (f"{born:%Y-%m-%d}", f"{born:%Y%m%d}", f"{born.year}年{born.month}月{born.day}日"):
        assert rebuilt([member.id_masked, f"born {shown}"], street_members) == {member.id_number}
    assert rebuilt([member.id_masked, f"born {born.year}"], street_members) == set()


def test_alice_cannot_rebuild_a_number_from_the_api_or_the_portal(client, alice, street_members):
    client.force_login(alice)
    texts = api_responses(client) + pages_without_parameters(client, {"portal", "services_portal"})
    hers = [m for m in street_members if Member.objects.for_user(alice).filter(pk=m.pk).exists()]
    assert all(m.id_masked in "\n".join(texts) for m in hers)  # she did get her members
    assert rebuilt(texts, street_members) == set()


def test_the_api_gives_the_birth_year_beside_the_mask(client, alice, street_members):
    client.force_login(alice)
    member = street_members[0]
    record = client.get(f"/api/v1/members/{member.pk}/").json()
    assert record["id_number"] == member.id_masked
    assert record["birth_year"] == member.birth_date.year
    assert "birth_date" not in record


@pytest.mark.slow  # every API list and admin list
def test_sam_cannot_rebuild_a_number_from_the_api_or_the_admins_lists(client, sam, street_members):
    client.force_login(sam)
    texts = api_responses(client) + admin_responses(client)
    assert all(m.id_masked in "\n".join(texts) for m in street_members)
    assert rebuilt(texts, street_members) == set()


@pytest.mark.slow  # every admin list and the audit log
def test_the_superuser_cannot_rebuild_one_from_the_lists_nor_the_audit_log(
    client, root, street_members
):
    client.force_login(root)
    texts = admin_responses(client)
    assert client.get("/admin/auditlog/logentry/").status_code == 200
    assert rebuilt(texts, street_members) == set()


def test_the_audit_log_does_not_record_the_birth_date(client, sam):
    client.force_login(sam)
    number = id_number(950, birth="19770405")
    response = client.post(
        "/admin/members/member/add/",
        {
            "id_number_input": number,
            "name": "新会员",
            "jingcard_status": "not_applied",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "transfers-TOTAL_FORMS": "0",
            "transfers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    member = Member.objects.with_id_number(number).get()
    entry = LogEntry.objects.get_for_object(member).get()
    assert "birth_date" not in entry.changes_dict
    assert "19770405" not in str(entry.changes) and "1977-04-05" not in str(entry.changes)
    assert number not in str(entry.changes)


def test_an_older_audit_entry_holding_the_date_shows_it_nowhere(client, root, street_members):
    """Entries written before the date was left out still hold it: the log's
    pages neither show it nor find entries by it."""
    member = street_members[0]
    old = LogEntry.objects.get_for_object(member).first()
    old.changes = {**old.changes_dict, "birth_date": ["None", member.birth_date.isoformat()]}
    old.save()
    client.force_login(root)
    shown = body(client.get(f"/admin/auditlog/logentry/{old.pk}/change/"))
    assert member.id_masked in shown
    assert member.birth_date.isoformat() not in shown
    found = body(client.get("/admin/auditlog/logentry/", {"q": member.birth_date.isoformat()}))
    assert member.id_masked not in found


@pytest.mark.parametrize(
    "lookup", ["birth_date", "birth_date__gte", "birth_date__month", "birth_date__day"]
)
def test_the_admin_member_list_cannot_be_filtered_by_birth_date(
    client, sam, street_members, lookup
):
    """Filtering by date, a day at a time, would tell which masks hide it."""
    client.force_login(sam)
    member = street_members[0]
    value = {"birth_date": member.birth_date.isoformat(), "birth_date__gte": "1985-03-12"}.get(
        lookup, "3"
    )
    response = client.get("/admin/members/member/", {lookup: value})
    assert response.status_code == 400


def test_the_members_own_page_keeps_the_date_and_logs_the_number_shown(client, sam, street_members):
    member = street_members[0]
    client.force_login(sam)
    page = body(client.get(f"/admin/members/member/{member.pk}/change/"))
    assert member.id_number in page
    assert f"{member.birth_date:%Y%m%d}" in dates_in(page)
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.object_id) == (sam, "unmask", str(member.pk))
    assert member.id_number not in f"{log.detail} {log.object_type}"


# --- Leaders get figures only ---------------------------------------------------


def test_lee_gets_no_member_records_through_the_api(client, lee, street_members):
    client.force_login(lee)
    assert client.get("/api/v1/members/").status_code == 403
    assert client.get(f"/api/v1/members/{street_members[0].pk}/").status_code == 403


def test_nothing_lee_can_reach_names_a_person(client, lee, street_members, alices_enterprise):
    """Every API route and every dashboard page (with figures to show)."""
    declare(alices_enterprise, "2017Q2")
    snapshots_recompute(quarter=Quarter(2017, 2), today=datetime.date(2017, 12, 1))
    quarter_figures_compute(federation=street(), quarter=Quarter(2017, 2))
    client.force_login(lee)
    texts = api_responses(client) + pages_without_parameters(client, {"dashboard"})
    community = alices_enterprise.community_id
    for which in ("obligated", "declared"):
        for suffix in ("/", ".xlsx"):
            response = client.get(f"/dashboard/community/{community}/{which}{suffix}")
            assert response.status_code == 200
            texts.append(body(response))
    texts.append(body(client.get(f"/dashboard/community/{community}/")))
    everything = "\n".join(texts)
    assert alices_enterprise.name in everything  # the walk reached the figures
    for member in street_members:
        for personal in (member.name, member.id_masked, member.phone, member.phone_masked):
            assert personal not in everything
    assert "王大锤" not in everything
    assert rebuilt(texts, street_members) == set()
