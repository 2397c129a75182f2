"""Sign-off sheets (welfare handouts) and sign-in sheets (event attendance)
uploaded by staff: each upload is an import of the one import flow
(chunshu_union.imports), with its preview, confirmation and undo."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chunshu_union import access
from chunshu_union.imports.models import ImportJob, ImportJobQuerySet


class SheetKind(models.TextChoices):
    HANDOUTS = "handouts", _("sign-off sheet (welfare handouts)")
    ATTENDANCE = "attendance", _("sign-in sheet (event attendance)")


class SheetImportQuerySet(ImportJobQuerySet):
    def for_user(self, user):
        """Street staff see their street's sheets; no one else any."""
        return access.scope(self, user, street="federation", needs=access.is_street_staff)


class SheetImport(ImportJob):
    kind = models.CharField(_("kind"), max_length=12, choices=SheetKind.choices)
    federation = models.ForeignKey(
        "enterprises.Federation",
        verbose_name=_("street federation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The street of the staff who uploaded it (empty: the command line)."),
    )
    welfare_batch = models.ForeignKey(
        "services.WelfareBatch",
        verbose_name=_("welfare batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sheet_imports",
    )
    event = models.ForeignKey(
        "services.Event",
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sheet_imports",
    )
    handed_on = models.DateField(_("date for rows without one"), null=True, blank=True)
    #: What the commit wrote: {"handouts": [ids], "attendances": [ids],
    #: "attended": [ids of registrations it marked present]}.
    written = models.JSONField(
        _("written records"), default=dict, blank=True, editable=False, encoder=DjangoJSONEncoder
    )

    objects = SheetImportQuerySet.as_manager()

    importer_path = "services.importing.SheetImporter"
    upload_folder = "sheets"
    BULKY_FIELDS = ("errors", "preview", "written")

    class Meta(ImportJob.Meta):
        verbose_name = _("sheet import")
        verbose_name_plural = _("sheet imports")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=SheetKind.HANDOUTS, welfare_batch__isnull=False, event__isnull=True)
                    | Q(kind=SheetKind.ATTENDANCE, event__isnull=False, welfare_batch__isnull=True)
                ),
                name="sheet_import_one_target",
            )
        ]

    def __str__(self):
        return f"{self.target} · {self.filename}"

    @property
    def target(self):
        return self.welfare_batch if self.kind == SheetKind.HANDOUTS else self.event
