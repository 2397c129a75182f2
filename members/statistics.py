"""Member statistics (会员统计) per community and for the street: who the
members are — women, age bands, migrant workers, model workers, hardship
cases — and how far the 京卡, the 12351 app and verification reach them,
for the street's statistical returns and for targeting events.

Members are the open memberships, in good standing or held (the figure the
dashboard reports); each person has one, so each is counted once. Every
figure of every community is one grouped aggregate query with conditional
counts, computed in the database, whatever the number of members
(docs/PERFORMANCE.md, "Member statistics"). Percentages are
`chunshu_union.figures.percent` (None, shown "—", for an empty community).

Who sees what goes through `Community.objects.for_user`: staff get every
community of their street and the street's total; a community chair gets
their own community only (the portal's page calls the same function);
leaders get figures, as on the dashboard. Counts name nobody, so reading
them is not logged; the member list that names people is
`members.member_list`, and every download of it is.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from chunshu_union import access
from chunshu_union.figures import percent
from chunshu_union.tabular.export import write_cell
from enterprises.models import Community

from .models import JingCard, Membership, Sex

#: 京卡 statuses that mean the member holds a card (as the dashboard counts).
CARD_HELD = (JingCard.ISSUED, JingCard.ACTIVATED)

#: Age bands on the day of the statistics, by completed years: (key, label,
#: youngest, oldest). 35 and under is the league's "young worker" line; 55
#: is the women's statutory retirement age before 2025, which the street's
#: returns still use for their oldest band.
AGE_BANDS = (
    ("age_35_and_under", gettext_lazy("Aged 35 and under"), None, 35),
    ("age_36_to_45", gettext_lazy("Aged 36 to 45"), 36, 45),
    ("age_46_to_54", gettext_lazy("Aged 46 to 54"), 46, 54),
    ("age_55_and_over", gettext_lazy("Aged 55 and over"), 55, None),
)

#: (key, label, whether it has a percentage of the members), in the order
#: the page and the workbook show them.
COLUMNS = (
    ("members", gettext_lazy("Members"), False),
    ("standing", gettext_lazy("In good standing"), False),
    ("held", gettext_lazy("Held"), True),
    ("women", gettext_lazy("Women"), True),
    *((key, label, True) for key, label, _young, _old in AGE_BANDS),
    ("migrant_workers", gettext_lazy("Migrant workers"), True),
    ("model_workers", gettext_lazy("Model workers"), True),
    ("in_hardship", gettext_lazy("Workers in hardship"), True),
    ("jingcard_holders", gettext_lazy("Jing card holders"), True),
    ("app_registered", gettext_lazy("Registered on the 12351 app"), True),
    ("verified", gettext_lazy("Member data verified"), True),
)
COUNTS = tuple(key for key, _label, _pct in COLUMNS)


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _age_band(on: datetime.date, youngest: int | None, oldest: int | None) -> Q:
    """Born so as to be between `youngest` and `oldest` completed years old
    on `on`: someone is n or older once born on or before `on` n years
    back."""
    q = Q()
    if youngest is not None:
        q &= Q(member__birth_date__lte=years_before(on, youngest))
    if oldest is not None:
        q &= Q(member__birth_date__gt=years_before(on, oldest + 1))
    return q


def _aggregates(on: datetime.date) -> dict:
    held = Q(held_on__isnull=False)
    counts = {
        "members": Count("pk"),
        "held": Count("pk", filter=held),
        "women": Count("pk", filter=Q(member__sex=Sex.FEMALE)),
        **{key: Count("pk", filter=_age_band(on, y, o)) for key, _l, y, o in AGE_BANDS},
        "migrant_workers": Count("pk", filter=Q(member__is_migrant_worker=True)),
        "model_workers": Count("pk", filter=Q(member__is_model_worker=True)),
        "in_hardship": Count("pk", filter=Q(member__is_in_hardship=True)),
        "jingcard_holders": Count("pk", filter=Q(member__jingcard_status__in=CARD_HELD)),
        "app_registered": Count("pk", filter=Q(member__app_registered_on__isnull=False)),
        "verified": Count("pk", filter=Q(member__verified_at__isnull=False)),
    }
    return counts


@dataclass
class Row:
    """One line of the statistics: a community, or the total (community
    None)."""

    name: str
    community: Community | None
    counts: dict

    @property
    def cells(self) -> list[dict]:
        """`[{key, label, count, percent}]` in the order of COLUMNS."""
        members = self.counts["members"]
        return [
            {
                "key": key,
                "label": label,
                "count": self.counts[key],
                "percent": percent(self.counts[key], members) if has_percent else None,
                "has_percent": has_percent,
            }
            for key, label, has_percent in COLUMNS
        ]

    def percent(self, key: str) -> Decimal | None:
        return percent(self.counts[key], self.counts["members"])


@dataclass
class Statistics:
    on: datetime.date
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None

    @property
    def headers(self) -> list:
        return [label for _key, label, _pct in COLUMNS]

    @property
    def all_rows(self) -> list[Row]:
        return [*self.rows, *([self.total] if self.total else [])]


def visible_communities(user, community=None):
    """The communities `user` may see, ordered; with `community` (a
    Community or an id), that one only — another street's or another
    community's is a 404, as everywhere."""
    if not (access.can_see_personal_data(user) or access.can_see_figures(user)):
        raise PermissionDenied
    communities = Community.objects.for_user(user).order_by("position", "pk")
    if community is not None:
        community_id = getattr(community, "pk", community)
        communities = communities.filter(pk=community_id)
        if not communities:
            raise Http404
    return list(communities)


def counts_by_community(community_ids, on: datetime.date) -> dict[int, dict]:
    """`{community_id: counts}` over the open memberships of the given
    communities: one grouped query, read from the memberships' community
    column (kept from their enterprise) joined to their members."""
    rows = (
        Membership.objects.filter(left_on__isnull=True, community_id__in=list(community_ids))
        .order_by()
        .values("community_id")
        .annotate(**_aggregates(on))
    )
    out = {cid: dict.fromkeys(COUNTS, 0) for cid in community_ids}
    for row in rows:
        values = out[row.pop("community_id")]
        values.update(row)
        values["standing"] = values["members"] - values["held"]
    return out


def member_statistics(*, user, community=None, on: datetime.date | None = None) -> Statistics:
    """The statistics of every community `user` may see (or of `community`
    only), with their total: "the whole street" for staff and leaders who
    see the street, none for a chair, who sees one community. Ages are
    counted on `on` (today by default); the members are those of today."""
    on = on or timezone.localdate()
    communities = visible_communities(user, community)
    counts = counts_by_community([c.pk for c in communities], on)
    stats = Statistics(
        on=on, rows=[Row(name=c.name, community=c, counts=counts[c.pk]) for c in communities]
    )
    if community is None and not access.is_chair(user) and communities:
        stats.total = Row(
            name=_("Whole street"),
            community=None,
            counts={key: sum(r.counts[key] for r in stats.rows) for key in COUNTS},
        )
    return stats


# --- The workbook -----------------------------------------------------------------

TITLE = Font(bold=True, size=14)
HEAD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="F0F2F4")
PERCENT = '0.00"%"'


def statistics_workbook(stats: Statistics, *, title: str = "") -> bytes:
    """The statistics as one sheet: a row per community (and the total), a
    count and a percentage of the members for each figure. No person is
    named in it. Every cell through `write_cell` (never a formula)."""
    book = Workbook()
    ws = book.active
    ws.title = _("Member statistics")[:31]
    write_cell(ws, 1, 1, title or _("Member statistics")).font = TITLE
    write_cell(
        ws,
        2,
        1,
        _("Members in good standing or held on %(day)s; ages on that day.")
        % {"day": stats.on.isoformat()},
    )
    headers = [_("Community")]
    for _key, label, has_percent in COLUMNS:
        headers.append(str(label))
        if has_percent:
            headers.append(_("%(figure)s (%% of members)") % {"figure": label})
    for column, text in enumerate(headers, start=1):
        cell = write_cell(ws, 4, column, text)
        cell.font, cell.fill = HEAD, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True)
    for index, row in enumerate(stats.all_rows, start=5):
        values = [row.name]
        percents = set()
        for cell in row.cells:
            values.append(cell["count"])
            if cell["has_percent"]:
                values.append(cell["percent"])
                percents.add(len(values))
        for column, value in enumerate(values, start=1):
            written = write_cell(ws, index, column, value)
            if column in percents and value is not None:
                written.number_format = PERCENT
            if row.community is None:
                written.font = HEAD
    ws.column_dimensions["A"].width = 24
    for column in range(2, len(headers) + 1):
        ws.column_dimensions[get_column_letter(column)].width = 12
    ws.freeze_panes = "B5"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
