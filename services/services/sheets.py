"""Undoing a sheet import: what it recorded is taken back."""

from collections import Counter

from django.db import transaction
from django.db.models import F

from ..models import Attendance, Handout, WelfareBatch


@transaction.atomic
def sheet_take_back(*, handouts: list[int], attendances: list[int], attended: list[int]) -> None:
    """Delete the handouts a sheet recorded and put them back in stock;
    delete the registrations it made, and unmark the presence it recorded on
    registrations made before. These rows exist only because of the sheet,
    so they go (the import's own row stays as the record of what happened)."""
    given = Counter(Handout.objects.filter(pk__in=handouts).values_list("batch_id", flat=True))
    Handout.objects.filter(pk__in=handouts).delete()
    for batch_id, count in given.items():
        WelfareBatch.objects.filter(pk=batch_id).update(stock=F("stock") + count)
    Attendance.objects.filter(pk__in=attendances).delete()
    Attendance.objects.filter(pk__in=attended).update(attended=False)
