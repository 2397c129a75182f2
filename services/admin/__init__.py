"""The staff admin for the street's service work, one module per sub-domain
(importing them registers their pages). Every write that has a rule goes
through `services.services`: the add forms run the service in a savepoint
during validation (so a refused write comes back as a form error in Chinese,
never a traceback) and `save_model` runs it for real."""

from django.utils.translation import gettext_lazy as _

from .aid import AidCaseAdmin
from .common import MemberScopedAdmin, check_by_running
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
    "check_by_running",
]
