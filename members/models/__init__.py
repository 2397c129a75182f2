"""Members' models, one module per part of their life in the union:
`people` (the person, memberships, transfers), `coverage` (京卡, insurance,
verification), `imports` (roster imports and the transfer requests they
make). Every model is imported here, so Django finds them and
`from members.models import Member` works as it always has."""

from .corrections import Correction, MemberMerge, NotDuplicate, RetirementDecision
from .coverage import (
    InsuranceEnrolment,
    JingCardChange,
    Verification,
    VerificationCampaign,
    VerificationCampaignQuerySet,
)
from .history import MembershipEvent, MembershipEventQuerySet
from .imports import (
    ImportBatch,
    ImportBatchQuerySet,
    ImportChange,
    TransferRequest,
    TransferRequestQuerySet,
)
from .people import (
    EndReason,
    HoldLevel,
    HoldReason,
    JingCard,
    Member,
    MemberQuerySet,
    Membership,
    MembershipQuerySet,
    Sex,
    ThroughMemberQuerySet,
    Transfer,
    TransferQuerySet,
)

__all__ = [
    "Correction",
    "EndReason",
    "HoldLevel",
    "HoldReason",
    "ImportBatch",
    "ImportBatchQuerySet",
    "ImportChange",
    "InsuranceEnrolment",
    "JingCard",
    "JingCardChange",
    "Member",
    "MemberMerge",
    "MemberQuerySet",
    "Membership",
    "MembershipEvent",
    "MembershipEventQuerySet",
    "MembershipQuerySet",
    "NotDuplicate",
    "RetirementDecision",
    "Sex",
    "ThroughMemberQuerySet",
    "Transfer",
    "TransferQuerySet",
    "TransferRequest",
    "TransferRequestQuerySet",
    "Verification",
    "VerificationCampaign",
    "VerificationCampaignQuerySet",
]
