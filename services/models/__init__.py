"""Visits, aid, welfare, events and the service menu, one module each.

Rules that concern one row are database constraints here; rules that span
rows (who may do which step, caps, stock) are in `services.services`, which
every door (admin, portal, importers, demo) goes through. Every model is
imported here, so Django finds them and `from services.models import Visit`
works as it always has.
"""

from .aid import (
    AidAttachment,
    AidAttachmentQuerySet,
    AidCase,
    AidCaseQuerySet,
    AidStatus,
    _attachment_path,  # named by migration 0001
)
from .events import Attendance, AttendanceQuerySet, Event, EventKind, EventQuerySet
from .menu import RequestStatus, ServiceOffer, ServiceRequest, ServiceRequestQuerySet
from .sheets import SheetImport, SheetImportQuerySet, SheetKind
from .visits import (
    Assignment,
    AssignmentQuerySet,
    Finding,
    FindingKind,
    FindingQuerySet,
    Visit,
    VisitKind,
    VisitQuerySet,
)
from .welfare import (
    Campaign,
    Handout,
    HandoutQuerySet,
    WelfareBatch,
    WelfareBatchQuerySet,
    WelfareItem,
)

__all__ = [
    "AidAttachment",
    "AidAttachmentQuerySet",
    "AidCase",
    "AidCaseQuerySet",
    "AidStatus",
    "Assignment",
    "AssignmentQuerySet",
    "Attendance",
    "AttendanceQuerySet",
    "Campaign",
    "Event",
    "EventKind",
    "EventQuerySet",
    "Finding",
    "FindingKind",
    "FindingQuerySet",
    "Handout",
    "HandoutQuerySet",
    "RequestStatus",
    "ServiceOffer",
    "ServiceRequest",
    "ServiceRequestQuerySet",
    "SheetImport",
    "SheetImportQuerySet",
    "SheetKind",
    "Visit",
    "VisitKind",
    "VisitQuerySet",
    "WelfareBatch",
    "WelfareBatchQuerySet",
    "WelfareItem",
    "_attachment_path",
]
