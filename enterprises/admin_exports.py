"""What the admin's "Export" button writes for enterprises and the
registers (chunshu_union.admin_exports: scoped, masked, escaped, logged)."""

from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from chunshu_union.admin_exports import ExportResource
from chunshu_union.masks import mask_phone

from .models import AffairsDisclosure, CollectiveAgreement, Enterprise, WorkerCongress


class EnterpriseResource(ExportResource):
    # The union chair's phone is a person's number: in clear only to those
    # entitled to personal data, as on the enterprise's own page.
    masked = {"union_chair_phone": mask_phone}
    open_members = Field(attribute="n_open", column_name=_("members"))

    class Meta:
        model = Enterprise
        fields = [
            "name",
            "credit_code",
            "community",
            "building",
            "ownership",
            "headcount",
            "open_members",
            "union_founded_on",
            "union_chair",
            "union_chair_phone",
            "status",
        ]
        export_order = fields


class CollectiveAgreementResource(ExportResource):
    class Meta:
        model = CollectiveAgreement
        fields = [
            "title",
            "scope",
            "community",
            "industry",
            "enterprises",
            "signed_on",
            "starts_on",
            "ends_on",
            "wage_rise_percent",
            "covered_workers",
            "is_demonstration",
        ]
        export_order = fields


class WorkerCongressResource(ExportResource):
    sessions_held = Field(attribute="n_sessions", column_name=_("sessions"))

    class Meta:
        model = WorkerCongress
        fields = ["name", "scope", "community", "enterprise", "established_on", "sessions_held"]
        export_order = fields


class AffairsDisclosureResource(ExportResource):
    class Meta:
        model = AffairsDisclosure
        fields = ["enterprise", "disclosed_on", "topic", "method", "content"]
        export_order = fields
