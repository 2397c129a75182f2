"""The catalogue of notices: each kind's channels, subject and text. One
catalogue, because an SMS gateway in China sends only templates approved in
advance: each SMS kind's text here is the one to register with the vendor,
its `params` the variables in their order (TENCENT_SMS_TEMPLATES maps a kind
to the vendor's template id). docs/NOTICES.md lists them all."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Channel


@dataclass(frozen=True)
class Kind:
    name: str
    channels: tuple[str, ...]
    subject: str
    body: str
    params: tuple[str, ...] = ()


KINDS = {
    kind.name: kind
    for kind in [
        Kind(
            "join_approved",
            (Channel.SMS,),
            _("Your application to join the union is approved"),
            _(
                "Your application to join the union (reference %(reference)s) is approved:"
                " welcome to the %(community)s union."
            ),
            ("reference", "community"),
        ),
        Kind(
            "join_refused",
            (Channel.SMS,),
            _("Your application to join the union"),
            _(
                "Your application to join the union (reference %(reference)s) was not approved:"
                " %(reason)s"
            ),
            ("reference", "reason"),
        ),
        Kind(
            "join_waiting",
            (Channel.SYSTEM,),
            _("A new application to join"),
            _("Application %(reference)s to join the union waits for a decision (%(where)s)."),
        ),
        Kind(
            "transfer_approved",
            (Channel.SYSTEM, Channel.EMAIL),
            _("Transfer request approved"),
            _("The transfer of %(member)s to %(enterprise)s is approved."),
        ),
        Kind(
            "transfer_refused",
            (Channel.SYSTEM, Channel.EMAIL),
            _("Transfer request refused"),
            _("The transfer of %(member)s to %(enterprise)s is refused: %(reason)s"),
        ),
        Kind(
            "aid_step",
            (Channel.SYSTEM, Channel.EMAIL),
            _("Emergency aid case: %(step)s"),
            _("The emergency aid case no. %(case)s you submitted (%(applied_on)s): %(step)s."),
        ),
        Kind(
            "declaration_reminder",
            (Channel.SMS,),
            _("Please declare the union funds for %(quarter)s"),
            _(
                "%(enterprise)s has not declared its union funds for %(quarter)s yet;"
                " please declare by %(due)s."
            ),
            ("enterprise", "quarter", "due"),
        ),
        Kind(
            "import_finished",
            (Channel.SYSTEM, Channel.EMAIL),
            _("Roster import finished"),
            _(
                "The roster %(filename)s of %(community)s is imported: %(created)s new,"
                " %(updated)s changed, %(transferred)s transferred in."
            ),
        ),
    ]
}
