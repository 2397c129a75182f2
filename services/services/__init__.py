"""Operations of the street's service work, one module per sub-domain. Every
rule that spans rows is here, checked where the data is written, so that the
admin, the portal, the importers and the demo cannot get round it. Each
refusal is a `ValidationError` with a Chinese sentence and a `code`; nothing
is half written (each operation is one transaction).

Callers import from here (`from services.services import handout_give`,
`services.handout_give(...)`), never from the sub-domain modules."""

from .aid import (
    aid_approve,
    aid_attach,
    aid_attachment_check,
    aid_granted_in_year,
    aid_pay,
    aid_reject,
    aid_review,
    aid_submit,
    sniff_content_type,
)
from .events import attendance_record
from .menu import (
    service_request_accept,
    service_request_create,
    service_request_decline,
    service_request_fulfil,
    service_request_rate,
)
from .sheets import sheet_take_back
from .visits import finding_close, visit_record
from .welfare import handout_give

__all__ = [
    "aid_approve",
    "aid_attach",
    "aid_attachment_check",
    "aid_granted_in_year",
    "aid_pay",
    "aid_reject",
    "aid_review",
    "aid_submit",
    "attendance_record",
    "finding_close",
    "handout_give",
    "service_request_accept",
    "service_request_create",
    "service_request_decline",
    "service_request_fulfil",
    "service_request_rate",
    "sheet_take_back",
    "sniff_content_type",
    "visit_record",
]
