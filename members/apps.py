from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        # The encrypted number and its digest are never written to the audit log.
        auditlog.register(models.Member, exclude_fields=["id_encrypted", "id_digest"])
        auditlog.register(models.Membership)
        auditlog.register(models.Transfer)
