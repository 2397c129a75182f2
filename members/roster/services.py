"""The roster importer: one set of services for the portal (through
Celery), the admin and the `import_roster` command."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union.tabular import FileRejected, RowError, find_header, read_table
from chunshu_union.tabular.memory import collector_paused
from chunshu_union.tabular.normalize import cell_text
from chunshu_union.tabular.reader import read_bytes
from chunshu_union.tabular.result import ImportResult

from ..id_numbers import mask, mask_phone
from ..models import ImportBatch
from .bulk import batched
from .diff import Plan, plan_roster
from .fields import FIELD_LABELS, FIELDS
from .report import error_report
from .validate import EnterpriseIndex, RosterRow, RowChecker
from .write import write_plan

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 5000
#: Faulty rows kept for the error report; beyond this the file is not a roster.
MAX_FAULTY_ROWS_KEPT = 20000

Progress = Callable[[str, int], None]


@dataclass
class Checked:
    """A roster read, validated and compared with the database."""

    filename: str
    sha256: str
    total: int
    header_row: int
    titles: list[str]
    rows: list[RosterRow]
    errors: list[RowError]
    invalid: int
    error_rows: list[dict]
    plan: Plan
    enterprise_names: dict = field(default_factory=dict)

    def result(self, *, written: bool) -> ImportResult:
        plan = self.plan
        return ImportResult(
            created=plan.created,
            updated=len(plan.changed),
            unchanged=len(plan.unchanged),
            transferred=len(plan.transferred),
            invalid=self.invalid,
            errors=list(self.errors),
            written=written,
            extra={"leaving": len(plan.leaving)},
        )


def roster_check(
    *, source, filename: str = "", community=None, progress: Progress | None = None
) -> Checked:
    """Read, normalise, validate and diff; write nothing. Raises
    FileRejected for a file that cannot be read at all."""
    with collector_paused():
        return _roster_check(
            source=source, filename=filename, community=community, progress=progress
        )


def _roster_check(*, source, filename, community, progress) -> Checked:
    tick = progress or (lambda stage, n: None)
    data = read_bytes(source)
    sha256 = hashlib.sha256(data).hexdigest()
    table = read_table(data, filename)
    tick("read", table.height)
    header, rows_after = find_header(table, FIELDS)
    index = EnterpriseIndex.load(community)
    today = timezone.localdate()
    checker = RowChecker(header, index, table.formula_cells, today)
    valid: list[RosterRow] = []
    errors: list[RowError] = []
    error_rows: list[dict] = []
    count = 0
    for chunk in batched(header.data_rows(table, after=rows_after), PROGRESS_EVERY):
        for record, row, faults, _digest in checker.check_rows(chunk):
            if row is not None:
                valid.append(row)
            else:
                errors.extend(faults)
                if len(error_rows) < MAX_FAULTY_ROWS_KEPT:
                    error_rows.append(_faulty_row(record, faults, header))
        count += len(chunk)
        tick("validated", count)
    if count == 0:
        raise FileRejected(_("The file has a header row but no members below it."))
    # Everyone the file names with a valid ID number, faulty row or not.
    plan = plan_roster(valid, listed=checker.seen.keys(), today=today)
    names = {e["id"]: e["name"] for e in index.by_code.values()}
    return Checked(
        filename=filename,
        sha256=sha256,
        total=count,
        header_row=header.row,
        titles=header.raw_titles,
        rows=valid,
        errors=errors,
        invalid=count - len(valid),
        error_rows=error_rows,
        plan=plan,
        enterprise_names=names,
    )


def _faulty_row(record, faults: list[RowError], header) -> dict:
    by_title = {title: index for index, title in enumerate(header.raw_titles)}
    return {
        "row": record.row,
        "cells": [cell_text(c) for c in record.raw],
        "faults": [
            {"col": by_title.get(f.column), "column": f.column, "message": f.message}
            for f in faults
        ],
    }


def roster_import(
    *,
    source,
    filename: str = "",
    community=None,
    by=None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    report_to=None,
) -> tuple[ImportResult, ImportBatch | None]:
    """Check and, unless `dry_run`, write: all or nothing, or with
    `skip_invalid` the valid rows. Every real import is recorded as an
    ImportBatch (also one that wrote nothing because of faults). With
    `report_to` (a path), the faulty rows are written there as .xlsx."""
    checked = roster_check(source=source, filename=filename, community=community)
    if report_to and checked.errors:
        Path(report_to).write_bytes(
            error_report({"titles": checked.titles, "rows": checked.error_rows})
        )
    if dry_run:
        return checked.result(written=False), None
    batch = ImportBatch.objects.create(
        community=community,
        created_by=by,
        filename=filename[-255:],
        file_sha256=checked.sha256,
        skip_invalid=skip_invalid,
        state=ImportBatch.State.VALIDATING,
    )
    return roster_commit(checked=checked, batch=batch, by=by), batch


def roster_commit(
    *, checked: Checked, batch: ImportBatch, by=None, with_preview: bool = False
) -> ImportResult:
    """Write a checked roster into `batch`, in one transaction. The row-by-row
    preview is kept only for the portal (`with_preview`); the command and the
    admin keep the counts and the faults."""
    _store_check(batch, checked, with_preview=with_preview)
    if checked.errors and not batch.skip_invalid:
        batch.state = ImportBatch.State.FAILED
        batch.message = _("The file has faults; nothing was written.")
        batch.save()
        return checked.result(written=False)
    today = timezone.localdate()
    try:
        with transaction.atomic(), collector_paused():
            write_plan(
                checked.plan,
                batch=batch,
                by=by,
                today=today,
                progress=lambda n: cache.set(_written_key(batch.pk), n, 3600),
            )
            batch.state = ImportBatch.State.COMMITTED
            batch.committed_at = timezone.now()
            batch.rows_written = len(checked.rows)
            batch.save()
    except IntegrityError:
        batch.state = ImportBatch.State.FAILED
        batch.message = _(
            "Another change to the same members was saved at the same moment; nothing was"
            " written. Please upload the file again."
        )
        batch.save()
        return checked.result(written=False)
    return checked.result(written=True)


def _written_key(batch_id: int) -> str:
    return f"roster-batch-{batch_id}-written"


def rows_written(batch: ImportBatch) -> int:
    """Progress of the write, which happens inside a transaction that other
    connections cannot see into: kept in the cache while it runs."""
    if batch.state == ImportBatch.State.COMMITTING:
        return cache.get(_written_key(batch.pk), 0)
    return batch.rows_written


def _store_check(batch: ImportBatch, checked: Checked, *, with_preview: bool = True) -> None:
    plan = checked.plan
    batch.rows_total = batch.rows_read = batch.rows_validated = checked.total
    batch.created = plan.created
    batch.updated = len(plan.changed)
    batch.unchanged = len(plan.unchanged)
    batch.transferred = len(plan.transferred)
    batch.leaving = len(plan.leaving)
    batch.invalid = checked.invalid
    batch.errors = [e.as_dict() for e in checked.errors]
    batch.preview = preview_of(checked) if with_preview else {}
    batch.error_rows = {
        "header_row": checked.header_row,
        "titles": checked.titles,
        "rows": checked.error_rows,
    }


def preview_of(checked: Checked) -> dict:
    """What the portal lists before anything is written: names, masked ID
    numbers, enterprises and field-level changes (phones masked)."""
    plan = checked.plan
    names = checked.enterprise_names

    def who(row: RosterRow) -> dict:
        return {
            "row": row.row,
            "name": row.name,
            "id_masked": mask(row.id_number),
            "enterprise": names.get(row.enterprise_id, ""),
        }

    return {
        "new": [who(r) for r in plan.new]
        + [
            {**who(r), "rejoined": True, "changes": _changes(b, a)} for r, _c, b, a in plan.rejoined
        ],
        "changed": [{**who(r), "changes": _changes(b, a)} for r, _c, b, a in plan.changed],
        "transferred": [
            {
                **who(r),
                "from": names.get(c.membership["enterprise_id"], ""),
                "on": on.isoformat(),
                "changes": _changes(b, a),
            }
            for r, c, b, a, on in plan.transferred
        ],
        "unchanged": [who(r) for r, _c in plan.unchanged],
        "leaving": plan.leaving,
    }


def _changes(before: dict, after: dict) -> list[dict]:
    def shown(name, value):
        if name == "phone":
            return mask_phone(value)
        if isinstance(value, bool):
            return "是" if value else "否"
        return value

    return [
        {
            "field": FIELD_LABELS.get(name, name),
            "before": shown(name, before.get(name)),
            "after": shown(name, after[name]),
        }
        for name in after
    ]


# --- The portal's life cycle of a batch ---------------------------------------


def import_batch_create(*, upload, community, by, skip_invalid: bool = False) -> ImportBatch:
    """Keep the uploaded file and queue its check. The file is hashed now so
    that the same upload can be recognised."""
    from ..tasks import roster_check_task

    data = read_bytes(upload)
    batch = ImportBatch(
        community=community,
        created_by=by,
        filename=(getattr(upload, "name", "") or "roster")[-255:],
        file_sha256=hashlib.sha256(data).hexdigest(),
        skip_invalid=skip_invalid,
    )
    from django.core.files.base import ContentFile

    batch.file.save("upload", ContentFile(data), save=False)
    batch.save()
    transaction.on_commit(lambda: roster_check_task.delay(batch.pk))
    return batch


def _claim(batch_id: int, from_states, to_state) -> bool:
    """Move a batch between states only if no one else did: tasks are
    acknowledged late and may run twice."""
    return bool(
        ImportBatch.objects.filter(pk=batch_id, state__in=from_states).update(state=to_state)
    )


def import_batch_check(*, batch_id: int) -> None:
    """The check of an uploaded file (a Celery task's body). Idempotent."""
    State = ImportBatch.State
    if not _claim(batch_id, [State.PENDING, State.VALIDATING], State.VALIDATING):
        return
    batch = ImportBatch.objects.select_related("community").get(pk=batch_id)

    def progress(stage: str, n: int) -> None:
        if stage == "read":
            ImportBatch.objects.filter(pk=batch_id).update(rows_total=n)
        else:
            ImportBatch.objects.filter(pk=batch_id).update(rows_read=n, rows_validated=n)

    try:
        with batch.file.open("rb") as handle:
            checked = roster_check(
                source=handle.read(),
                filename=batch.filename,
                community=batch.community,
                progress=progress,
            )
    except FileRejected as rejected:
        _fail(batch, rejected.message)
        return
    except Exception:
        # A bug, not the file: the chair gets a sentence, the log the traceback,
        # and the batch does not stay "checking" for ever.
        logger.exception("roster check of batch %s failed", batch_id)
        _fail(batch, _unexpected_message())
        return
    _store_check(batch, checked)
    batch.state = State.PREVIEWED
    batch.save()


def _unexpected_message() -> str:
    return _(
        "The file could not be processed because of an unexpected error; nothing was written."
        " Please tell the street union."
    )


def _fail(batch: ImportBatch, message: str) -> None:
    batch.state = ImportBatch.State.FAILED
    batch.message = message
    batch.save(update_fields=["state", "message"])
    _discard_file(batch)


def _discard_file(batch: ImportBatch) -> None:
    if batch.file:
        batch.file.delete(save=False)
        ImportBatch.objects.filter(pk=batch.pk).update(file="")


def import_batch_confirm(*, batch: ImportBatch, skip_invalid: bool = False) -> None:
    from ..tasks import roster_commit_task

    State = ImportBatch.State
    if batch.state != State.PREVIEWED:
        raise ValidationError(_("This import is not waiting for confirmation."))
    if batch.invalid and not skip_invalid:
        raise ValidationError(
            _(
                "The file has faulty rows: correct them and upload again, or choose to import"
                " only the valid rows."
            )
        )
    if batch.invalid == batch.rows_total:
        raise ValidationError(_("No row of the file is valid; there is nothing to import."))
    ImportBatch.objects.filter(pk=batch.pk).update(skip_invalid=skip_invalid)
    if not _claim(batch.pk, [State.PREVIEWED], State.COMMITTING):
        raise ValidationError(_("This import is not waiting for confirmation."))
    cache.set(_written_key(batch.pk), 0, 3600)
    transaction.on_commit(lambda: roster_commit_task.delay(batch.pk))


def import_batch_commit(*, batch_id: int) -> None:
    """Write a confirmed batch (a Celery task's body). The file is checked
    again, because the database may have changed since the preview."""
    State = ImportBatch.State
    batch = ImportBatch.objects.select_related("community", "created_by").get(pk=batch_id)
    if batch.state != State.COMMITTING:
        return
    try:
        with batch.file.open("rb") as handle:
            checked = roster_check(
                source=handle.read(), filename=batch.filename, community=batch.community
            )
    except (FileRejected, FileNotFoundError, ValueError) as error:
        _fail(batch, getattr(error, "message", _("The uploaded file is no longer there.")))
        return
    try:
        result = roster_commit(checked=checked, batch=batch, by=batch.created_by, with_preview=True)
    except Exception:
        logger.exception("roster commit of batch %s failed", batch_id)
        _fail(batch, _unexpected_message())
        return
    if result.written:
        _discard_file(batch)
    elif batch.state == State.FAILED and checked.errors:
        # New faults since the preview (someone changed the data): show them again.
        batch.state = State.PREVIEWED
        batch.message = _("The data changed since the preview; please look at the preview again.")
        batch.save(update_fields=["state", "message"])


def import_batch_cancel(*, batch: ImportBatch) -> None:
    State = ImportBatch.State
    if not _claim(batch.pk, [State.PREVIEWED, State.FAILED, State.PENDING], State.CANCELLED):
        raise ValidationError(_("Only an import that has not been written can be cancelled."))
    batch.refresh_from_db()
    _discard_file(batch)
