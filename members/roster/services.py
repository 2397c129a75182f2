"""The roster importer: one set of services for the portal (through
Celery), the admin and the `import_roster` command."""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union.tabular import FileRejected, RowError, find_header, read_table
from chunshu_union.tabular.memory import collector_paused
from chunshu_union.tabular.reader import read_bytes
from chunshu_union.tabular.result import ImportResult

from ..id_numbers import mask, mask_phone
from ..models import ImportBatch
from .bulk import batched
from .diff import Plan, plan_roster
from .faults import FaultKeeper, seal_faulty_rows, stored_faults
from .fields import CODE_LISTS, FIELD_LABELS, FIELDS
from .report import error_report
from .validate import EnterpriseIndex, RosterRow, RowChecker
from .write import write_plan

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 5000

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
    #: The faults of the first faulty rows (ROSTER_FAULTY_ROWS_KEPT) ...
    errors: list[RowError]
    invalid: int
    #: ... those rows as written ...
    error_rows: list[dict]
    plan: Plan
    enterprise_names: dict = field(default_factory=dict)
    #: ... and every fault counted, per column title.
    fault_counts: dict = field(default_factory=dict)
    faults_total: int = 0

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
            extra={
                "leaving": len(plan.leaving),
                "transfer_requests": len(plan.elsewhere),
                "faults_total": self.faults_total,
                "fault_counts": self.fault_counts,
            },
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
    kept = FaultKeeper(header.raw_titles)
    count = 0
    for chunk in batched(header.data_rows(table, after=rows_after), PROGRESS_EVERY):
        for record, row, faults, _digest in checker.check_rows(chunk):
            if row is not None:
                valid.append(row)
            else:
                kept.add(record, faults)
        count += len(chunk)
        tick("validated", count)
    if count == 0:
        raise FileRejected(_("The file has a header row but no members below it."))
    # Everyone the file names with a valid ID number, faulty row or not.
    plan = plan_roster(
        valid,
        listed=checker.seen.keys(),
        today=today,
        community_id=community.pk if community else None,
        community_of=index.community_of(),
    )
    names = {e["id"]: e["name"] for e in index.by_code.values()}
    return Checked(
        filename=filename,
        sha256=sha256,
        total=count,
        header_row=header.row,
        titles=header.raw_titles,
        rows=valid,
        errors=kept.errors,
        invalid=count - len(valid),
        error_rows=kept.rows,
        plan=plan,
        enterprise_names=names,
        fault_counts=dict(kept.counts),
        faults_total=kept.total,
    )


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
    if report_to and checked.invalid:
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
    result = roster_commit(checked=checked, batch=batch, by=by)
    if batch.state == ImportBatch.State.FAILED:
        _discard(batch)  # a closed batch keeps no faulty row
    return result, batch


def roster_commit(
    *, checked: Checked, batch: ImportBatch, by=None, with_preview: bool = False
) -> ImportResult:
    """Write a checked roster into `batch`, in one transaction. The row-by-row
    preview is kept only for the portal (`with_preview`); the command and the
    admin keep the counts and the faults."""
    _store_check(batch, checked, with_preview=with_preview)
    if checked.invalid and not batch.skip_invalid:
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
    batch.elsewhere = len(plan.elsewhere)
    batch.invalid = checked.invalid
    batch.errors = stored_faults(checked.errors)
    batch.fault_counts = checked.fault_counts
    batch.faults_total = checked.faults_total
    batch.preview = preview_of(checked) if with_preview else {}
    batch.faulty_rows = seal_faulty_rows(
        header_row=checked.header_row, titles=checked.titles, rows=checked.error_rows
    )


def preview_of(checked: Checked) -> dict:
    """What the portal lists before anything is written: names, masked ID
    numbers, enterprises and field-level changes (phones masked).

    Only what the roster's own community may see: a person who is an open
    member of another community is listed under "elsewhere" with what the
    file itself says (row, name as written, the number masked, the
    enterprise of the file), nothing from the database; someone joining
    again shows the values the file sets, not the ones the database kept
    from a membership the chair never had."""
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
            {**who(r), "rejoined": True, "changes": _changes({}, a, with_before=False)}
            for r, _c, _b, a in plan.rejoined
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
        "elsewhere": [who(r) for r, _c in plan.elsewhere],
        "leaving": plan.leaving,
    }


def _changes(before: dict, after: dict, *, with_before: bool = True) -> list[dict]:
    def shown(name, value):
        if name == "phone":
            return mask_phone(value)
        if isinstance(value, bool):
            return "是" if value else "否"
        if name in CODE_LISTS and value:
            return CODE_LISTS[name].name(value)  # the standard's name, not its code
        return value

    return [
        {
            "field": FIELD_LABELS.get(name, name),
            "before": shown(name, before.get(name)) if with_before else None,
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
    _discard(batch)


def _discard(batch: ImportBatch, *, keep_faulty_rows: bool = False) -> None:
    """Delete what a batch holds of the file: the upload itself, and (unless
    asked to keep them for the error report) the sealed faulty rows."""
    if batch.file:
        batch.file.delete(save=False)
    cleared = {"file": ""} if keep_faulty_rows else {"file": "", "faulty_rows": ""}
    ImportBatch.objects.filter(pk=batch.pk).update(**cleared)
    for name, value in cleared.items():
        setattr(batch, name, value)


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
        # The faulty rows the chair chose to skip stay (sealed) for the error
        # report, until import_batches_purge.
        _discard(batch, keep_faulty_rows=True)
    elif batch.state == State.FAILED and checked.invalid:
        # New faults since the preview (someone changed the data): show them again.
        batch.state = State.PREVIEWED
        batch.message = _("The data changed since the preview; please look at the preview again.")
        batch.save(update_fields=["state", "message"])
    elif batch.state == State.FAILED:
        _discard(batch)


def import_batch_cancel(*, batch: ImportBatch) -> None:
    State = ImportBatch.State
    if not _claim(batch.pk, [State.PREVIEWED, State.FAILED, State.PENDING], State.CANCELLED):
        raise ValidationError(_("Only an import that has not been written can be cancelled."))
    batch.refresh_from_db(fields=["state", "file"])
    _discard(batch)


def import_batches_purge(*, now=None) -> int:
    """Delete the uploaded files and sealed faulty rows that batches no
    longer need: those of closed batches (cancelled, failed, undone: their
    own services already do it, this catches any left behind) and, once
    ROSTER_ERROR_ROWS_DAYS have passed since the upload, of every batch. A
    batch still waiting for confirmation then is cancelled (its file is
    gone), one stuck in a working state fails. Idempotent: the nightly beat
    task; returns how many batches it emptied."""
    State = ImportBatch.State
    now = now or timezone.now()
    deadline = now - datetime.timedelta(days=settings.ROSTER_ERROR_ROWS_DAYS)
    holding = ~Q(faulty_rows="") | ~Q(file="")
    due = Q(state__in=[State.CANCELLED, State.FAILED, State.UNDONE]) | Q(created_at__lt=deadline)
    purged = 0
    for batch in ImportBatch.objects.filter(holding, due).only("id", "state", "file"):
        if batch.state in (State.PENDING, State.PREVIEWED):
            message = _(
                "This import was not confirmed within %(days)d days and was cancelled; the"
                " uploaded file was deleted. Please upload it again."
            ) % {"days": settings.ROSTER_ERROR_ROWS_DAYS}
            if _claim(batch.pk, [batch.state], State.CANCELLED):
                ImportBatch.objects.filter(pk=batch.pk).update(message=message)
        elif batch.state in (State.VALIDATING, State.COMMITTING):
            if _claim(batch.pk, [batch.state], State.FAILED):
                ImportBatch.objects.filter(pk=batch.pk).update(message=_unexpected_message())
        _discard(batch)
        purged += 1
    return purged
