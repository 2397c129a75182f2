"""Masks for a person's contact details, on the ground floor because more
than one app shows them: a member's phone (members), an enterprise union
chair's phone (enterprises). The ID-number mask, which only members know,
is `members.id_numbers.mask`."""


def mask_phone(value: str) -> str:
    """138****5678: the network prefix and the last four digits."""
    digits = value or ""
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "****" + digits[-4:]
