"""The staff admin for the street's service work, one module per sub-domain
(importing them registers their pages). Every write that has a rule goes
through `services.services`, by the one bridge of
`chunshu_union.admin_mixins.ServiceAdminMixin`."""

from django.utils.translation import gettext_lazy as _

from .aid import AidCaseAdmin
from .common import MemberScopedAdmin
from .events import EventAdmin
from .menu import ServiceOfferAdmin, ServiceRequestAdmin
from .sheets import SheetImportAdmin, SheetImportAdminMixin
from .visits import AssignmentAdmin, FindingAdmin, VisitAdmin
from .welfare import HandoutAdmin, WelfareBatchAdmin, WelfareItemAdmin

#: The services group of the admin's sidebar (chunshu_union/settings/unfold.py):
#: its titles are translated in this app's catalogue.
SIDEBAR_TITLES = (
    _("Services"),
    _("Visits"),
    _("The two 2s"),
    _("Emergency aid"),
    _("Welfare handouts"),
    _("Events"),
    _("Service requests"),
    _("Collective agreements"),
)

__all__ = [
    "SIDEBAR_TITLES",
    "AidCaseAdmin",
    "AssignmentAdmin",
    "EventAdmin",
    "FindingAdmin",
    "HandoutAdmin",
    "MemberScopedAdmin",
    "ServiceOfferAdmin",
    "ServiceRequestAdmin",
    "SheetImportAdmin",
    "SheetImportAdminMixin",
    "VisitAdmin",
    "WelfareBatchAdmin",
    "WelfareItemAdmin",
]
