from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("Enterprises")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.Enterprise)
        auditlog.register(models.Community)
