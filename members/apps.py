from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        from auditlog.registry import auditlog

        from . import masking, models

        # Neither the number (encrypted, or as its digest) nor the digits
        # its mask hides are ever written to the audit log.
        auditlog.register(models.Member, exclude_fields=list(masking.NOT_AUDITED))
        auditlog.register(models.Membership)
        auditlog.register(models.Transfer)
