"""Who sees what, through every door: the scoped querysets, the admin, the
portal and the API."""

import ast
import datetime
import inspect
import textwrap

import pytest
from django.apps import apps
from django.conf import settings

from accounts import roles
from accounts.models import Role
from chunshu_union import access
from chunshu_union import roles as chunshu_roles
from enterprises.models import Building, Enterprise, Federation
from members.models import (
    InsuranceEnrolment,
    JingCardChange,
    Member,
    Membership,
    Transfer,
    Verification,
    VerificationCampaign,
)
from services.models import Attendance, Event, EventKind, WelfareBatch
from tests.factories import another_street, community, everything_of, street, user


def test_alice_sees_only_her_communitys_enterprises(alice, alices_enterprise, bobs_enterprise):
    assert list(Enterprise.objects.for_user(alice)) == [alices_enterprise]


def test_alice_sees_only_her_communitys_members(alice, alices_member, bobs_member):
    assert list(Member.objects.for_user(alice)) == [alices_member]
    assert list(Membership.objects.for_user(alice).values_list("member", flat=True)) == [
        alices_member.pk
    ]


def test_staff_see_the_whole_street(sam, alices_member, bobs_member):
    assert set(Member.objects.for_user(sam)) == {alices_member, bobs_member}


def test_leaders_get_figures_never_member_records(lee, alices_member, bobs_member):
    assert not Member.objects.for_user(lee).exists()
    assert not Membership.objects.for_user(lee).exists()


def test_an_inactive_account_sees_nothing(alices_enterprise):
    ghost = user("ghost", Role.STAFF, is_active=False)
    assert not Enterprise.objects.for_user(ghost).exists()


def test_a_member_who_left_is_no_longer_in_the_chairs_list(alice, alices_member):
    import datetime

    from members.services import membership_leave

    membership_leave(member=alices_member, on=datetime.date(2017, 5, 1))
    assert not Member.objects.for_user(alice).exists()


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/enterprises/enterprise/", "/admin/members/member/"]
)
def test_chairs_and_leaders_never_get_into_the_admin(client, alice, lee, url):
    for person in (alice, lee):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_alice_cannot_open_bobs_enterprise_in_the_admin(client, alice, bobs_enterprise):
    client.force_login(alice)
    response = client.get(f"/admin/enterprises/enterprise/{bobs_enterprise.pk}/change/")
    assert response.status_code == 302


def test_staff_restricted_to_another_street_cannot_see_this_one(client, sam, alices_enterprise):
    from enterprises.models import Federation

    other = Federation.objects.create(name="大栅栏街道总工会")
    outsider = user("dave", Role.STAFF, federation=other)
    outsider.groups.add(*sam.groups.all())
    assert not Enterprise.objects.for_user(outsider).exists()
    client.force_login(outsider)
    response = client.get(f"/admin/enterprises/enterprise/{alices_enterprise.pk}/change/")
    assert response.status_code == 302  # unknown object: admin redirects to its index


def test_alice_gets_404_or_nothing_for_bobs_things_through_the_api(
    client, alice, bobs_enterprise, bobs_member
):
    client.force_login(alice)
    assert client.get(f"/api/v1/enterprises/{bobs_enterprise.pk}/").status_code == 404
    assert client.get(f"/api/v1/members/{bobs_member.pk}/").status_code == 404
    assert client.get("/api/v1/enterprises/").json()["count"] == 0


def test_the_api_masks_identifiers_even_for_staff(client, sam, alices_member):
    client.force_login(sam)
    body = client.get(f"/api/v1/members/{alices_member.pk}/").json()
    assert "*" in body["id_number"] and body["id_number"] != alices_member.id_number
    assert "****" in body["phone"]


def test_alices_portal_lists_her_members_masked_and_not_bobs(
    client, alice, alices_member, bobs_member
):
    client.force_login(alice)
    page = client.get("/portal/members/").content.decode()
    assert "张三" in page and "李四" not in page
    assert alices_member.id_masked in page and alices_member.id_number not in page


def test_leaders_are_turned_away_from_the_portal(client, lee):
    client.force_login(lee)
    assert client.get("/portal/").status_code == 403


def test_each_role_lands_at_its_own_door(client, sam, alice, lee):
    for person, target in ((sam, "/admin/"), (alice, "/portal/"), (lee, "/dashboard/")):
        client.force_login(person)
        assert client.get("/")["Location"] == target


# --- One access module: every for_user built on chunshu_union/access.py --------


@pytest.fixture
def worlds(db, settings, tmp_path):
    """One of everything of alice's community, of bob's, and of another
    street (tests/factories.everything_of)."""
    settings.MEDIA_ROOT = tmp_path
    return {
        "alice": everything_of(community(1)),
        "bob": everything_of(community(2)),
        "elsewhere": everything_of(another_street()),
    }


def _scoped_models():
    return [m for m in apps.get_models() if hasattr(m._default_manager, "for_user")]


#: Rows of the whole street, which its chairs see too (they hand out a
#: welfare batch, verify in a campaign).
STREET_WIDE = {Federation, Building, WelfareBatch, VerificationCampaign}


def test_no_chair_sees_anything_of_another_community_or_street(alice, worlds):
    """For every model with for_user, whatever it is."""
    for model in _scoped_models():
        seen = model._default_manager.for_user(alice)
        if model in worlds["bob"] and model not in STREET_WIDE:
            assert not seen.filter(pk=worlds["bob"][model].pk).exists(), model.__name__
        if model in worlds["elsewhere"]:
            assert not seen.filter(pk=worlds["elsewhere"][model].pk).exists(), model.__name__


def test_no_staff_of_another_street_sees_anything_of_this_one(worlds):
    dave = user("dave", Role.STAFF, federation=worlds["elsewhere"][Federation])
    dave.groups.add(roles.group(roles.AID_GROUP))
    for model in _scoped_models():
        seen = model._default_manager.for_user(dave)
        for whose in ("alice", "bob"):
            if model in worlds[whose]:
                assert not seen.filter(pk=worlds[whose][model].pk).exists(), model.__name__


def test_every_for_user_is_one_statement_built_on_the_access_module():
    """No role, street or community rule written again in a model."""
    for model in _scoped_models():
        method = type(model._default_manager.get_queryset()).for_user
        body = [n for n in ast.parse(textwrap.dedent(inspect.getsource(method))).body[0].body]
        body = [n for n in body if not isinstance(n, ast.Expr)]  # the docstring
        assert len(body) == 1 and isinstance(body[0], ast.Return), model.__name__
        assert "access." in ast.unparse(body[0]), model.__name__


def test_the_access_module_imports_no_app():
    """chunshu_union is the ground floor (STYLE.md): it decides by Role and by
    the paths the models give it, not by importing them."""
    ours = [c.name for c in apps.get_app_configs() if c.path.startswith(str(settings.BASE_DIR))]
    for module in (access, chunshu_roles):
        tree = ast.parse(inspect.getsource(module))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {
            ("chunshu_union." if n.level else "") + (n.module or "")
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom)
        }
        assert not [n for n in names for app in ours if n == app or n.startswith(f"{app}.")], (
            module.__name__
        )


@pytest.mark.parametrize("model", [JingCardChange, InsuranceEnrolment, Verification, Transfer])
def test_alice_sees_her_communitys_member_records_and_not_bobs(alice, sam, worlds, model):
    mine, bobs = worlds["alice"][model], worlds["bob"][model]
    assert list(model.objects.for_user(alice)) == [mine]
    assert {mine, bobs} <= set(model.objects.for_user(sam))


def test_a_member_record_leaves_the_chairs_sight_with_the_member(alice, worlds):
    import datetime

    from members.services import membership_leave

    membership_leave(member=worlds["alice"][Member], on=datetime.date(2017, 5, 1))
    assert not JingCardChange.objects.for_user(alice).exists()


def test_a_street_wide_event_is_open_to_that_streets_chairs_only(alice, bob, sam, db):
    elsewhere = another_street()
    ours = _event("全街道春季健步走", street())
    theirs = _event("大栅栏街道春季健步走", elsewhere.federation)
    hers = _event("椿树园社区三八节", street(), community(1))
    bobs = _event("红线社区三八节", street(), community(2))
    assert set(Event.objects.for_user(alice)) == {ours, hers}
    assert set(Event.objects.for_user(bob)) == {ours, bobs}
    assert set(Event.objects.for_user(sam)) == {ours, theirs, hers, bobs}
    dave = user("dave", Role.STAFF, federation=elsewhere.federation)
    assert list(Event.objects.for_user(dave)) == [theirs]


def test_a_chair_of_another_street_sees_none_of_this_streets_events(alice, db):
    chair = user("carol", Role.CHAIR, another_street())
    _event("全街道春季健步走", street())
    assert not Event.objects.for_user(chair).exists()


def test_attendance_follows_its_event_and_leaders_see_none(alice, lee, worlds):
    assert list(Attendance.objects.for_user(alice)) == [worlds["alice"][Attendance]]
    assert not Attendance.objects.for_user(lee).exists()


@pytest.mark.parametrize("model", [WelfareBatch, VerificationCampaign, Building])
def test_street_wide_rows_are_seen_in_their_street_only(alice, sam, worlds, model):
    """A welfare batch or a verification campaign belongs to the whole street:
    its staff and its chairs (who hand out, verify) see it; no one of
    another street does."""
    ours, theirs = worlds["alice"][model], worlds["elsewhere"][model]
    assert ours in model.objects.for_user(alice)
    assert theirs not in model.objects.for_user(alice)
    dave = user("dave", Role.STAFF, federation=worlds["elsewhere"][Federation])
    assert list(model.objects.for_user(dave)) == [theirs]
    assert {ours, theirs} <= set(model.objects.for_user(sam))


def test_a_chair_cannot_hand_out_another_streets_batch(alice, worlds):
    import datetime

    from django.core.exceptions import ValidationError

    from services.services import handout_give

    theirs = worlds["elsewhere"][WelfareBatch]
    with pytest.raises(ValidationError) as refused:
        handout_give(
            batch=theirs,
            by=alice,
            handed_on=datetime.date(2017, 3, 2),
            enterprise=worlds["alice"][Enterprise],
            quantity=1,
        )
    assert refused.value.code == "other_street"
    theirs.refresh_from_db()
    assert theirs.stock == 9


def test_staff_see_every_unmatched_declaration_chairs_none(alice, db):
    from dues.models import Declaration

    unmatched = Declaration.objects.create(
        credit_code="91110000000000000X",
        taxpayer_name="未建会企业",
        period_start=datetime.date(2017, 1, 1),
        period_end=datetime.date(2017, 3, 31),
        declared_on=datetime.date(2017, 4, 1),
    )
    dave = user("dave", Role.STAFF, federation=another_street().federation)
    assert list(Declaration.objects.for_user(dave)) == [unmatched]
    assert not Declaration.objects.for_user(alice).exists()


def _event(title, federation, community_obj=None):
    day = datetime.date(2017, 4, 1)
    return Event.objects.create(
        federation=federation,
        community=community_obj,
        kind=EventKind.SPRING_WALK,
        title=title,
        starts_on=day,
        ends_on=day,
    )
