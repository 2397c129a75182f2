from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from chunshu_union.admin_exports import export_made

        from .roles import sync_roles_after_migrate
        from .services import access_log_admin_export

        # Rights in code: every migrate (a fresh installation, a deployment)
        # makes the role groups hold what accounts/roles.py says.
        post_migrate.connect(
            sync_roles_after_migrate, sender=self, dispatch_uid="accounts.sync_roles"
        )
        # Every export from the admin is logged; without this receiver the
        # admin refuses to export at all.
        export_made.connect(access_log_admin_export, dispatch_uid="accounts.admin_export")
