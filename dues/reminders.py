"""The quarter's declaration reminder (issue 19): a week before the
quarter's end, staff review the enterprises that have not declared yet and
send their union chairs an SMS (notices), once per enterprise and quarter."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union import access
from chunshu_union.quarters import Quarter
from enterprises.models import Enterprise
from notices.services import notify

from .rates import obligated_in

#: Reminders go out from this many days before the quarter's end.
DAYS_BEFORE_END = 7


def reminder_window(day: datetime.date) -> tuple[Quarter, datetime.date]:
    """The quarter of `day` and the first day its reminders may go out."""
    quarter = Quarter.containing(day)
    return quarter, quarter.last_day - datetime.timedelta(days=DAYS_BEFORE_END)


def undeclared_for_reminder(quarter: Quarter, user):
    """Obligated enterprises the user may see that have not declared for
    `quarter`: with a chair's phone (reminded) and without (listed, to call)."""
    return (
        Enterprise.objects.for_user(user)
        .filter(pk__in=obligated_in(quarter).filter(has_declared=False).values("pk"))
        .select_related("community")
        .order_by("community__position", "name")
    )


@transaction.atomic
def declaration_reminders_send(*, quarter: Quarter, enterprises, by) -> int:
    """One SMS per enterprise with a union chair's phone; idempotent per
    enterprise and quarter (sending twice reminds nobody twice)."""
    if not access.is_street_staff(by):
        raise PermissionDenied
    sent = 0
    for enterprise in enterprises:
        if not enterprise.union_chair_phone:
            continue
        made = notify(
            kind="declaration_reminder",
            key=f"{quarter}:enterprise:{enterprise.pk}",
            context={
                "enterprise": enterprise.name,
                "quarter": quarter.label,
                "due": quarter.last_day.strftime("%Y-%m-%d"),
            },
            phone=enterprise.union_chair_phone,
            federation_id=enterprise.community.federation_id,
        )
        sent += len(made)
    return sent


class SendForm(forms.Form):
    enterprises = forms.ModelMultipleChoiceField(queryset=Enterprise.objects.none(), required=True)


def reminders_view(request):
    """Staff's page: the list, and the button (from a week before the end)."""
    if not access.is_street_staff(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    quarter, opens = reminder_window(today)
    undeclared = undeclared_for_reminder(quarter, request.user)
    form = SendForm(request.POST or None)
    form.fields["enterprises"].queryset = undeclared
    if request.method == "POST":
        if today < opens:
            messages.error(request, _("Reminders can be sent from %(day)s.") % {"day": opens})
        elif form.is_valid():
            sent = declaration_reminders_send(
                quarter=quarter, enterprises=form.cleaned_data["enterprises"], by=request.user
            )
            messages.success(request, _("%(n)d reminders queued.") % {"n": sent})
            return redirect("reminders")
    rows = list(undeclared)
    context = {
        **admin.site.each_context(request),
        "title": _("Declaration reminders for %(quarter)s") % {"quarter": quarter},
        "quarter": quarter,
        "opens": opens,
        "open_now": today >= opens,
        "rows": rows,
        "with_phone": sum(1 for e in rows if e.union_chair_phone),
    }
    return TemplateResponse(request, "dues/admin/reminders.html", context)
