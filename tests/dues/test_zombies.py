"""Suspected zombies: who is flagged (N=2 vs N=3), why (the explained
score), and what a resolution does to the status history and the rate."""

import datetime
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from chunshu_union.quarters import Quarter
from dues.models import Resolution, ZombieFlag
from dues.rates import rate_figures_for_quarter
from dues.selectors import gap_to_target, snapshot_enterprises, zombie_counts
from dues.services import snapshots_recompute, zombie_resolve, zombies_flag
from enterprises.models import Status
from tests.factories import EnterpriseFactory, street

from .helpers import declare

Q4 = Quarter(2016, 4)
FOUNDED = datetime.date(2015, 1, 1)


@pytest.fixture
def histories(db):
    """steady declares every quarter; faded stopped after 2016Q2; gone after
    2016Q1; young's union was founded in 2016Q4."""
    steady, faded, gone = EnterpriseFactory.create_batch(3, union_founded_on=FOUNDED)
    young = EnterpriseFactory(union_founded_on=datetime.date(2016, 11, 1))
    for q in ("2016Q1", "2016Q2", "2016Q3", "2016Q4"):
        declare(steady, q)
    declare(faded, "2016Q1")
    declare(faded, "2016Q2")
    declare(gone, "2016Q1")
    return steady, faded, gone, young


def flagged(flags):
    return {f.enterprise for f in flags}


def _flag_and_resolve(enterprise, resolution, effective_on, evidence, *, by):
    """Flag the street for Q4 (two silent quarters) and resolve `enterprise`'s flag."""
    flags = {f.enterprise: f for f in zombies_flag(quarter=Q4, n=2)}
    zombie_resolve(
        flag=flags[enterprise],
        resolution=resolution,
        effective_on=effective_on,
        evidence=evidence,
        by=by,
    )


def test_n2_flags_two_silent_quarters_n3_needs_three(histories):
    _steady, faded, gone, _young = histories
    assert flagged(zombies_flag(quarter=Q4, n=3)) == {gone}
    assert flagged(zombies_flag(quarter=Q4, n=2)) == {faded, gone}


def test_a_union_founded_within_the_window_is_not_a_zombie_yet(histories):
    *_others, young = histories
    assert young not in flagged(zombies_flag(quarter=Q4, n=2))


def test_flagging_is_idempotent_and_writes_the_status_history(histories, sam):
    _steady, _faded, gone, _young = histories
    zombies_flag(quarter=Q4, n=2, by=sam)
    zombies_flag(quarter=Q4, n=2, by=sam)
    assert ZombieFlag.objects.count() == 2
    gone.refresh_from_db()
    assert gone.status == Status.SUSPECTED_DORMANT
    entry = gone.status_history.get(status=Status.SUSPECTED_DORMANT)
    assert (entry.effective_on, entry.recorded_by) == (datetime.date(2017, 1, 1), sam)


def test_the_score_explains_itself_and_orders_the_list(histories):
    _steady, faded, gone, _young = histories
    gone.union_chair_phone = ""
    gone.save(update_fields=["union_chair_phone"])
    flags = {f.enterprise: f for f in zombies_flag(quarter=Q4, n=2)}
    assert flags[gone].missing_quarters == ["2016Q2", "2016Q3", "2016Q4"]
    assert flags[faded].missing_quarters == ["2016Q3", "2016Q4"]
    codes = {r["code"] for r in flags[gone].reasons}
    assert {"no_declaration", "no_chair_contact", "no_jingcard", "roster_quiet"} <= codes
    assert flags[gone].score > flags[faded].score
    assert next(iter(ZombieFlag.objects.open().order_by("-score"))).enterprise == gone


def test_an_open_quarter_cannot_be_assessed(db):
    with pytest.raises(ValidationError, match=r"尚未结束|has not ended"):
        zombies_flag(quarter=Quarter(2017, 3), today=datetime.date(2017, 9, 1))


def test_moved_out_resolution_moves_the_denominator_from_its_date(histories, sam):
    _steady, _faded, gone, _young = histories
    _flag_and_resolve(
        gone, Resolution.MOVED_OUT, datetime.date(2017, 5, 10), "物业证明已迁至丰台区", by=sam
    )
    gone.refresh_from_db()
    assert gone.status == Status.MOVED_OUT
    assert gone.status_history.filter(status=Status.MOVED_OUT, recorded_by=sam).exists()
    q1 = rate_figures_for_quarter(Quarter(2017, 1), street())[0]
    q2 = rate_figures_for_quarter(Quarter(2017, 2), street())[0]
    assert (q1.obligated, q2.obligated) == (4, 3)


def test_still_active_keeps_it_in_the_denominator_and_ends_the_suspicion(histories, sam):
    _steady, faded, _gone, _young = histories
    _flag_and_resolve(
        faded,
        Resolution.STILL_ACTIVE,
        datetime.date(2017, 2, 10),
        "走访：正常经营，已辅导申报",
        by=sam,
    )
    faded.refresh_from_db()
    assert faded.status == Status.VERIFIED_ACTIVE
    assert rate_figures_for_quarter(Quarter(2017, 1), street())[0].obligated == 4
    # Looked at within the window: not flagged again for the same window.
    assert faded not in flagged(zombies_flag(quarter=Q4, n=2))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"effective_on": datetime.date(2999, 1, 1)}, "future|将来"),
        ({"evidence": "  "}, "evidence|证据|依据"),
        ({"effective_on": datetime.date(2014, 1, 1)}, "founded|建会"),
        ({"resolution": "vanished"}, "Choose|选择"),
    ],
)
def test_a_resolution_needs_a_valid_date_evidence_and_kind(histories, sam, change, message):
    flag = zombies_flag(quarter=Q4, n=2)[0]
    fields = {
        "resolution": Resolution.DEREGISTERED,
        "effective_on": datetime.date(2017, 3, 1),
        "evidence": "工商注销公告",
    }
    fields.update(change)
    with pytest.raises(ValidationError, match=message):
        zombie_resolve(flag=flag, by=sam, **fields)
    flag.refresh_from_db()
    assert flag.is_open
    assert not flag.enterprise.status_history.filter(status=Status.DEREGISTERED).exists()


def test_a_flag_is_resolved_once(histories, sam):
    flag = zombies_flag(quarter=Q4, n=2)[0]
    kwargs = {"resolution": Resolution.UNREACHABLE, "effective_on": datetime.date(2017, 3, 1)}
    zombie_resolve(flag=flag, evidence="两次走访无人", by=sam, **kwargs)
    with pytest.raises(ValidationError):
        zombie_resolve(flag=flag, evidence="再次", by=sam, **kwargs)


def test_flag_zombies_command_prints_the_flagged_credit_codes(histories):
    _steady, faded, gone, _young = histories
    out = StringIO()
    call_command("flag_zombies", "--quarter", "2016Q4", "--json", stdout=out)
    assert json.loads(out.getvalue()) == sorted([faded.credit_code, gone.credit_code])


def test_zombie_counts_and_list_per_quarter(histories, sam, lee):
    _steady, faded, gone, _young = histories
    _flag_and_resolve(gone, Resolution.DEREGISTERED, datetime.date(2017, 5, 2), "注销", by=sam)
    assert zombie_counts(Quarter(2017, 1), lee) == {
        "flagged": 2,
        "verified_active": 0,
        "resolved": 0,
        "open": 2,
    }
    assert zombie_counts(Quarter(2017, 2), lee)["resolved"] == 1
    assert zombie_counts(Quarter(2016, 4), lee)["flagged"] == 0  # raised on 2017-01-01
    assert set(snapshot_enterprises(Quarter(2017, 2), None, "zombie", lee)) == {faded, gone}


def test_gap_to_target_lists_the_undeclared_by_zombie_score(histories, sam, lee):
    steady, faded, gone, young = histories
    for e in (steady, young):
        declare(e, "2017Q1")
    zombies_flag(quarter=Q4, n=2)
    snapshots_recompute(quarter=Quarter(2017, 1))
    [street_row, *_communities] = gap_to_target(Quarter(2017, 1), lee)
    assert (street_row["declared"], street_row["obligated"]) == (2, 4)
    assert street_row["needed"] == 2  # 4 of 4 to reach 85%
    chase = list(street_row["candidates"])
    assert set(chase) == {faded, gone}
    assert chase[0].zombie_score >= chase[1].zombie_score


def test_a_quarter_whose_export_is_not_imported_is_not_assessed(histories):
    # Nothing for 2017Q1 yet: everyone would look silent.
    with pytest.raises(ValidationError, match=r"尚未导入|have been imported"):
        zombies_flag(quarter=Quarter(2017, 1), n=2)
    assert not ZombieFlag.objects.exists()


def test_the_nightly_default_is_the_last_complete_quarter_with_declarations(histories):
    _steady, faded, gone, _young = histories
    # Today is years later, but the last export on record is for 2016Q4.
    flags = zombies_flag(n=2, today=datetime.date(2017, 6, 1))
    assert {f.enterprise for f in flags} == {faded, gone}
    assert {f.quarter for f in flags} == {"2016Q4"}


def test_with_no_declarations_at_all_the_job_does_nothing(db):
    EnterpriseFactory()
    assert zombies_flag() == []
    assert not ZombieFlag.objects.exists()
