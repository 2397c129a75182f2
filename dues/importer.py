"""The tax bureau's export in the one import flow (chunshu_union.imports):
staff upload it in the admin, the check runs in the background, the preview
shows what would be written and what is set aside, a confirmation writes it,
and undo puts back what it wrote. `declaration_import` is the same check and
write for the command line (`import_declarations`: all or nothing)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chunshu_union.imports.engine import Importer, job_refused, job_run
from chunshu_union.imports.fingerprint import fingerprint
from chunshu_union.imports.models import State
from chunshu_union.imports.ranges import id_ranges, in_ranges
from chunshu_union.locks import job_lock
from chunshu_union.tabular.result import ImportResult

from .importing import COMPARED, DeclarationsChecked, declaration_check, result_notes
from .models import Declaration, DeclarationImport
from .tasks import recompute_rates

#: How many rows of each kind the preview lists (the counts are exact).
PREVIEW_ROWS = 2000
#: The columns undo puts back (updated_at too, so that undoing a later
#: import leaves the rows as an earlier one can recognise them).
RESTORED = (*COMPARED, "updated_at")
_SHOWN = {
    "amount_due": gettext_lazy("amount due"),
    "amount_paid": gettext_lazy("amount paid"),
    "base": gettext_lazy("base"),
    "rate": gettext_lazy("rate"),
    "paid_on": gettext_lazy("paid on"),
    "is_zero": gettext_lazy("zero declaration"),
    "taxpayer_name": gettext_lazy("taxpayer name"),
    "sub_item": gettext_lazy("sub-item"),
    "enterprise_id": gettext_lazy("enterprise"),
}


def declaration_import(
    *, source, filename: str = "", dry_run: bool = False, by=None, today=None
) -> ImportResult:
    """Read, check every row, then write all of it or nothing (the command
    line). A real import is recorded as a DeclarationImport, which staff can
    undo in the admin."""
    checked = declaration_check(source=source, filename=filename, today=today)
    if dry_run:
        return checked.result
    job = DeclarationImport.objects.create(
        created_by=by, filename=(filename or str(source))[-255:], state=State.VALIDATING
    )
    return job_run(job=job, checked=checked)


def declaration_write(job: DeclarationImport, checked: DeclarationsChecked) -> ImportResult:
    """Write a checked export in one transaction, holding the rates' lock,
    and mark the job committed; or, if it has faults that were not to be
    skipped, or another import wrote the same rows at that moment, write
    nothing and leave the job failed with the reason."""
    result = checked.result
    if result.errors and not job.skip_invalid:
        return job_refused(job, result, _("The file has faults; nothing was written."))
    changed = [declaration for declaration, _before in checked.changed]
    try:
        with job_lock("dues.rates"):
            created = Declaration.objects.bulk_create(checked.new, batch_size=2000)
            now = timezone.now()
            for declaration in changed:
                declaration.updated_at = now
            Declaration.objects.bulk_update(changed, [*COMPARED, "updated_at"], batch_size=2000)
            job.written = {
                "created": id_ranges(sorted(d.pk for d in created)),
                "updated": [{"id": d.pk, "before": before} for d, before in checked.changed],
            }
            job.state = State.COMMITTED
            job.committed_at = timezone.now()
            job.rows_written = len(created) + len(changed)
            job.save()
    except IntegrityError:
        return job_refused(
            job,
            result,
            _(
                "Another import wrote the same declarations at the same moment; nothing was"
                " written. Please upload the file again."
            ),
        )
    result.written = True
    return result


def declaration_undo(job: DeclarationImport) -> None:
    """Delete the declarations the job created and put back the values it
    changed, unless a later import has changed them since (undo that one
    first)."""
    written = job.written or {}
    created = in_ranges(written.get("created", []))
    updated = {entry["id"]: entry["before"] for entry in written.get("updated", [])}
    touched = Declaration.objects.filter(created | Q(pk__in=updated))
    if touched.filter(updated_at__gt=job.committed_at).exists():
        raise ValidationError(
            _("A later import changed declarations that this one wrote: undo the later one first.")
        )
    Declaration.objects.filter(created).delete()
    restored = []
    for declaration in Declaration.objects.filter(pk__in=updated):
        for name, value in updated[declaration.pk].items():
            field = Declaration._meta.get_field("enterprise" if name == "enterprise_id" else name)
            setattr(declaration, name, None if value is None else field.to_python(value))
        restored.append(declaration)
    Declaration.objects.bulk_update(restored, RESTORED, batch_size=2000)


class DeclarationImporter(Importer):
    """How the import flow checks, keeps, writes and undoes an export."""

    def check(self, job, data: bytes, progress) -> DeclarationsChecked:
        return declaration_check(source=data, filename=job.filename, progress=progress)

    def store(self, job, checked: DeclarationsChecked) -> None:
        result = checked.result
        job.rows_total = job.rows_read = job.rows_validated = checked.total
        job.created, job.updated, job.unchanged = result.created, result.updated, result.unchanged
        job.invalid = result.invalid
        job.errors = [error.as_dict() for error in result.errors[:PREVIEW_ROWS]]
        job.notes = {"sentences": result_notes(result), **result.extra}

    def preview(self, checked: DeclarationsChecked) -> dict[str, list[dict]]:
        return preview_of(checked)

    def write(self, job, checked: DeclarationsChecked, *, progress) -> ImportResult:
        return declaration_write(job, checked)

    def fingerprint(self, checked: DeclarationsChecked) -> str:
        """The declarations it would create (their keys) and change (their
        ids and values as stored, updated_at included)."""
        return fingerprint(
            sorted(
                repr(
                    (
                        d.credit_code,
                        d.item,
                        d.period_start,
                        d.period_end,
                        d.declared_on,
                        d.is_refund,
                    )
                )
                for d in checked.new
            ),
            sorted((d.pk, sorted(before.items())) for d, before in checked.changed),
        )

    def undo(self, job, *, by) -> None:
        declaration_undo(job)

    def committed(self, job, result: ImportResult) -> None:
        _recompute(job.created_by_id)

    def undone(self, job) -> None:
        _recompute(job.undone_by_id)


def _recompute(user_id: int | None) -> None:
    transaction.on_commit(lambda: recompute_rates.delay(None, user_id))


def preview_of(checked: DeclarationsChecked) -> dict:
    """What the staff see before anything is written: the new declarations
    and the changes, row by row (taxpayer numbers as the check left them:
    a person's ID number is already masked)."""

    def row(declaration: Declaration) -> dict:
        return {
            "row": checked.rows.get(id(declaration)),
            "taxpayer": declaration.credit_code,
            "name": declaration.taxpayer_name,
            "period": f"{declaration.period_start}–{declaration.period_end}",
            "amount": str(declaration.amount_due),
            "matched": declaration.enterprise_id is not None,
        }

    return {
        "new": [row(d) for d in checked.new],
        "changed": [
            {
                **row(d),
                "changes": [
                    {
                        "field": str(_SHOWN.get(name, name)),
                        "before": _shown(value),
                        "after": _shown(getattr(d, name)),
                    }
                    for name, value in before.items()
                    if name in _SHOWN
                ],
            }
            for d, before in checked.changed
        ],
    }


def _shown(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)
