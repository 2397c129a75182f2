"""A lookup by full ID number is an oracle: with the mask and the birth year
a chair sees, about 33 guesses rebuild a number. So every lookup is logged
(without the number) and a user may make only so many in an hour."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from accounts.models import AccessLog
from members.id_numbers import make_id_number


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def guesses(member, n):
    """n wrong numbers sharing the member's region code and birth year."""
    year = str(member.birth_date.year)
    for day in range(1, n + 1):
        yield make_id_number(f"{member.id_number[:6]}{year}01{day:02d}{member.id_number[14:17]}")


def test_alices_lookups_by_number_are_written_to_the_access_log(client, alice, alices_member):
    client.force_login(alice)
    client.post(reverse("portal:member_list"), {"q": alices_member.id_number})
    client.post(reverse("portal:member_list"), {"q": next(guesses(alices_member, 1))})
    lines = AccessLog.objects.filter(user=alice, action=AccessLog.Action.ID_LOOKUP)
    assert sorted(lines.values_list("object_id", flat=True)) == ["", str(alices_member.pk)]
    for line in lines:
        assert alices_member.id_number not in f"{line.object_id}{line.detail}"


@override_settings(ID_NUMBER_LOOKUPS_PER_HOUR=5)
def test_alice_cannot_guess_her_way_to_a_full_number(client, alice, alices_member):
    client.force_login(alice)
    for guess in guesses(alices_member, 5):
        client.post(reverse("portal:member_list"), {"q": guess})
    # the sixth lookup, even of the right number, answers nothing
    response = client.post(reverse("portal:member_list"), {"q": alices_member.id_number})
    page = response.content.decode()
    assert "张三" not in page
    assert "最多" in page
    assert AccessLog.objects.filter(action=AccessLog.Action.ID_LOOKUP).count() == 5


@override_settings(ID_NUMBER_LOOKUPS_PER_HOUR=2)
def test_the_admins_find_form_keeps_the_same_limit(client, sam, alices_member):
    client.force_login(sam)
    find = reverse("admin:members_member_find")
    for guess in guesses(alices_member, 2):
        client.post(find, {"id_number": guess})
    response = client.post(find, {"id_number": alices_member.id_number}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:members_member_changelist")
    assert "最多" in response.content.decode()


def test_a_malformed_number_is_refused_without_counting_or_logging(client, alice):
    client.force_login(alice)
    response = client.post(reverse("portal:member_list"), {"q": "110102198503120010"})
    assert response.status_code == 200
    assert not AccessLog.objects.filter(action=AccessLog.Action.ID_LOOKUP).exists()
