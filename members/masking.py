"""What may stand beside a masked ID number: the one rule, used by every door.

The mask (`id_numbers.mask`, 110102********123X) shows the region code and
the last four characters and hides digits 7 to 14, the date of birth.
A mask is only a mask if nobody who sees it can get those digits another
way: a birth date beside it, in the same response or in any other response
their role can fetch, joins with it into the full number.

So, everywhere the number is masked (API, admin lists, portal, exports,
audit log), a member's birth is given as the **year** only, never month and
day. Not an age either: an age that ticks over on a given day tells whoever
asks every day the birthday. Month and day are shown in one place only: a
member's own admin page, which shows the number in clear to a user
entitled to it and logs the showing (`MemberAdmin.id_in_clear`).
"""

from __future__ import annotations

#: Fields that carry what the mask hides. No door filters, orders or
#: searches members by them (a filter by day tells which masks hide it).
HIDDEN_FIELDS = ("birth_date",)

#: Member fields never written to the audit log: the number (encrypted and
#: as its digest) and the digits the mask hides, which follow from the
#: number anyway.
NOT_AUDITED = ("id_encrypted", "id_digest", *HIDDEN_FIELDS)


def birth_year(member) -> int | None:
    """The birth as it may be shown beside a masked number."""
    return member.birth_date.year if member.birth_date else None


def is_hidden_lookup(lookup: str) -> bool:
    """True for a query lookup on a hidden field (`birth_date__month` …)."""
    return lookup.split("__", 1)[0] in HIDDEN_FIELDS
