"""The member list as Excel (会员名册导出): the members (open memberships, in
good standing or held) of a community or of every community the user may
see, one row each.

- **Scoped** through `chunshu_union.access`: the communities of
  `Community.objects.for_user`, the rows of `Membership.objects.for_user`
  (leaders see no row that names a person: they are refused); another
  community is a 404.
- **Masked by default**: the ID number as its stored mask, the birth as its
  year only, the phone masked (`members.masking`: nothing beside a mask
  gives back the digits it hides). The numbers in clear, with the full
  birth date and phone, only when asked for (`full=True`) by a user the
  access rule lets see members' personal data (`access.can_see_personal_data`,
  the right under which the member's admin page shows the number in clear).
- **Logged**: every download, masked or not, is written to the access log
  as an export of personal data (how many rows, masked or in clear; never a
  number).
- **Safe cells**: every cell through `chunshu_union.tabular.export.write_cell`.
"""

from __future__ import annotations

import io

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from accounts.models import AccessLog
from chunshu_union import access
from chunshu_union.masks import mask_phone
from chunshu_union.tabular.export import write_cell

from . import masking
from .models import Membership
from .statistics import visible_communities


def may_export_in_clear(user) -> bool:
    """Whether `user` may have the list with ID numbers in clear."""
    return access.can_see_personal_data(user)


def member_rows(*, user, community=None):
    """The open memberships the list holds, with their member, enterprise
    and community, ordered by community, enterprise and name."""
    if not access.can_see_personal_data(user):
        raise PermissionDenied
    communities = visible_communities(user, community)
    return (
        Membership.objects.for_user(user)
        .filter(left_on__isnull=True, community__in=communities)
        .select_related("member", "enterprise", "community")
        .order_by("community__position", "enterprise__name", "member__name", "pk")
    )


def _yes(value: bool) -> str:
    return _("Yes") if value else _("No")


def _headers(full: bool) -> list[str]:
    return [
        _("No."),
        _("full name"),
        _("ID number"),
        _("sex"),
        _("birth date") if full else _("birth year"),
        _("phone"),
        _("ethnicity"),
        _("education"),
        _("political status"),
        _("community"),
        _("enterprise"),
        _("membership state"),
        _("joined on"),
        _("held since"),
        _("migrant worker"),
        _("model worker"),
        _("in hardship"),
        _("Jing card"),
        _("12351 app registered on"),
        _("verified at"),
    ]


def _values(number: int, membership: Membership, full: bool) -> list:
    member = membership.member
    verified = member.verified_at
    return [
        number,
        member.name,
        member.id_number if full else member.id_masked,
        member.get_sex_display(),
        member.birth_date if full else masking.birth_year(member),
        member.phone if full else mask_phone(member.phone),
        member.get_ethnicity_display(),
        member.get_education_display(),
        member.get_political_status_display(),
        membership.community.name if membership.community else "",
        membership.enterprise.name,
        str(membership.state_label),
        membership.joined_on,
        membership.held_on,
        _yes(member.is_migrant_worker),
        _yes(member.is_model_worker),
        _yes(member.is_in_hardship),
        member.get_jingcard_status_display(),
        member.app_registered_on,
        timezone.localtime(verified).replace(tzinfo=None) if verified else None,
    ]


def member_list_workbook(rows, *, full: bool) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = _("Members")
    for column, text in enumerate(_headers(full), start=1):
        cell = write_cell(ws, 1, column, text)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="F0F2F4")
    for number, membership in enumerate(rows, start=1):
        for column, value in enumerate(_values(number, membership, full), start=1):
            write_cell(ws, number + 1, column, value)
    ws.freeze_panes = "C2"
    widths = {"A": 6, "B": 12, "C": 22, "J": 18, "K": 30, "L": 18}
    for column in range(1, len(_headers(full)) + 1):
        letter = get_column_letter(column)
        ws.column_dimensions[letter].width = widths.get(letter, 12)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def member_list_export(*, user, community=None, full: bool = False) -> tuple[bytes, str]:
    """The workbook and its file name, the download written to the access
    log. `full` is honoured only for a user who may see the numbers in
    clear; anyone else gets the masked list."""
    full = bool(full) and may_export_in_clear(user)
    rows = list(member_rows(user=user, community=community))
    data = member_list_workbook(rows, full=full)
    one = visible_communities(user, community)[0] if community is not None else None
    AccessLog.objects.create(
        user=user,
        action=AccessLog.Action.EXPORT,
        object_type=Membership._meta.label_lower,
        detail=(
            f"member list of {f'community {one.pk}' if one else 'every community seen'}: "
            f"{len(rows)} rows, ID numbers {'in clear' if full else 'masked'}"
        ),
    )
    today = timezone.localdate().isoformat()
    where = one.name if one else _("Whole street")
    return data, f"{_('Member list')}-{where}-{today}.xlsx"
