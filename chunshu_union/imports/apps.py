from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """The import flow's own table (the preview rows of every import); the
    jobs themselves are each importer's (abstract `ImportJob`)."""

    name = "chunshu_union.imports"
    label = "imports"
    verbose_name = _("Imports")
    default_auto_field = "django.db.models.BigAutoField"
