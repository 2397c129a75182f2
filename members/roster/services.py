"""The roster importer: one set of services for the portal (through
Celery), the admin and the `import_roster` command."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chunshu_union.imports.engine import Importer, job_refused, job_run, job_start
from chunshu_union.imports.fingerprint import fingerprint
from chunshu_union.tabular import FileRejected, RowError, find_header, read_table
from chunshu_union.tabular.memory import collector_paused
from chunshu_union.tabular.reader import read_bytes
from chunshu_union.tabular.result import ImportResult
from notices.services import notify

from ..id_numbers import mask, mask_phone
from ..models import ImportBatch
from .bulk import batched
from .diff import Plan, plan_roster
from .faults import FaultKeeper, seal_faulty_rows, stored_faults
from .fields import CODE_LISTS, FIELD_LABELS, FIELDS
from .report import error_report
from .undo import batch_revert
from .validate import EnterpriseIndex, RosterRow, RowChecker
from .write import write_plan

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
    return job_run(job=batch, checked=checked), batch


def _write(batch: ImportBatch, checked: Checked, *, by, progress=None) -> ImportResult:
    if checked.invalid and not batch.skip_invalid:
        return job_refused(
            batch, checked.result(written=False), _("The file has faults; nothing was written.")
        )
    today = timezone.localdate()
    try:
        with transaction.atomic(), collector_paused():
            write_plan(checked.plan, batch=batch, by=by, today=today, progress=progress)
            batch.state = ImportBatch.State.COMMITTED
            batch.committed_at = timezone.now()
            batch.rows_written = len(checked.rows)
            batch.save()
    except IntegrityError:
        return job_refused(
            batch,
            checked.result(written=False),
            _(
                "Another change to the same members was saved at the same moment; nothing was"
                " written. Please upload the file again."
            ),
        )
    return checked.result(written=True)


def _store_check(batch: ImportBatch, checked: Checked) -> None:
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


# --- The roster in the one import flow (chunshu_union.imports) -----------------


class RosterImporter(Importer):
    """How the import flow checks, keeps, writes and undoes a roster."""

    def check(self, job: ImportBatch, data: bytes, progress) -> Checked:
        return roster_check(
            source=data, filename=job.filename, community=job.community, progress=progress
        )

    def store(self, job: ImportBatch, checked: Checked) -> None:
        _store_check(job, checked)

    def preview(self, checked: Checked) -> dict[str, list[dict]]:
        return preview_of(checked)

    def write(self, job: ImportBatch, checked: Checked, *, progress) -> ImportResult:
        return _write(job, checked, by=job.created_by, progress=progress)

    def committed(self, job: ImportBatch, result: ImportResult) -> None:
        notify(kind="import_finished", key=f"roster-import:{job.pk}", context={"filename": job.filename, "community": job.community, **result.as_dict()}, user=job.created_by)  # fmt: skip

    def undo(self, job: ImportBatch, *, by) -> None:
        batch_revert(job, by=by)

    def discard(self, job: ImportBatch, *, keep_faulty_rows: bool) -> dict:
        return {} if keep_faulty_rows else {"faulty_rows": ""}

    def fingerprint(self, checked: Checked) -> str:
        """The members the file names as the database holds them (their
        fields and open membership), and those it would create or leave."""
        plan = checked.plan
        found = [
            (existing.member, existing.membership)
            for entries in (
                plan.rejoined,
                plan.changed,
                plan.transferred,
                plan.unchanged,
                plan.elsewhere,
            )
            for _row, existing, *_rest in entries
        ]
        found.sort(key=lambda pair: pair[0]["id"])
        return fingerprint(
            sorted(row.digest for row in plan.new),
            found,
            sorted(repr(entry) for entry in plan.leaving),
        )


def import_batch_create(*, upload, community, by, skip_invalid: bool = False) -> ImportBatch:
    """A chair's (or staff's) upload for one community: kept, and checked in
    the background."""
    batch = ImportBatch(community=community, created_by=by, skip_invalid=skip_invalid)
    return job_start(job=batch, upload=upload)
