"""Hostile uploads (issue 13, item 7). Not a test: run it on demand.

    .venv/bin/python bench/hostile_upload.py                          # this checkout
    .venv/bin/python bench/hostile_upload.py --tree /tmp/before       # another checkout (a git worktree)

Generates, in /tmp/hostile_upload/ (not timed), spreadsheets that stay under
the file-size limit but are built to hurt the reader:

  issue       200,000 rows x 20 columns of long text, no <dimension> tag
              (the issue's file: ~5-10 MB, about 460 MB unpacked);
  rows        210,000 rows x 20 short cells, no <dimension> tag (under every
              size limit, over the row limit);
  wide        200,000 rows x 30 short cells, no <dimension> tag (6 million cells);
  corners     an .xlsx of two cells, A1 and XFD200000 (1.5 KB);
  corners_xls an .xls of four sheets, each using A1 and IV65536 (6 KB);
  honest      an ordinary 200,000-row roster of the template's 13 columns, as
              Excel writes it (shared strings, a <dimension> tag): accepted.

and, for each, in a child process of its own (so that its peak memory,
VmHWM, is its own) under an address-space limit (--memory-limit, 6 GB by
default, so that a file asking for 100 GB fails instead of taking the
machine), does what the portal's upload does, Celery running eagerly as in
the embedded default: `import_batch_create` keeps the file and the check task
runs in the same process (read, normalise, validate, diff, store the preview
and the faults), against a fresh SQLite street. Prints a Markdown table and
JSON; `--tree` measures another checkout (e.g. `git worktree add --detach
/tmp/before <commit>`) with the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
WORK = Path(os.environ.get("HOSTILE_BENCH_DIR", "/tmp/hostile_upload"))
sys.path.insert(0, str(BENCH))

from roster_files import (  # noqa: E402
    CONTENT_TYPES,
    ROOT_RELS,
    WORKBOOK,
    WORKBOOK_RELS,
    column_letters,
    write_xlsx,
)

KINDS = ["issue", "rows", "wide", "corners", "corners_xls", "honest"]


# --- the files (generated once, not timed) ----------------------------------------


def _inline_workbook(path: Path, rows, *, header: list[str] | None = None) -> None:
    """An .xlsx of inline strings and numbers with no <dimension> tag,
    written row by row. `rows` yields (row number, [cell XML, ...])."""
    content_types = CONTENT_TYPES.replace(
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>',
        "",
    )
    rels = WORKBOOK_RELS.replace(
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/>',
        "",
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<sheetData>"
            )
            batch = []
            if header:
                cells = "".join(
                    f'<c r="{column_letters(i)}1" t="inlineStr"><is><t>{title}</t></is></c>'
                    for i, title in enumerate(header)
                )
                batch.append(f'<row r="1">{cells}</row>')
            for number, cells in rows:
                batch.append(f'<row r="{number}">{"".join(cells)}</row>')
                if len(batch) >= 2000:
                    sheet.write("".join(batch).encode())
                    batch = []
            sheet.write("".join(batch).encode())
            sheet.write(b"</sheetData></worksheet>")


def _header(width: int) -> list[str]:
    from members.roster.fields import TEMPLATE_COLUMNS

    return [*TEMPLATE_COLUMNS, *(f"备注{i}" for i in range(1, width - len(TEMPLATE_COLUMNS) + 1))]


def make(kind: str) -> Path:
    suffix = ".xls" if kind == "corners_xls" else ".xlsx"
    path = WORK / f"{kind}{suffix}"
    if path.exists():
        return path
    if kind == "issue":
        text = "这一格写满了与这份花名册毫无关系的文字"  # 19 characters, 57 bytes

        def rows():
            for n in range(2, 200_002):
                yield (
                    n,
                    [
                        f'<c r="{column_letters(c)}{n}" t="inlineStr"><is><t>{text}{n}</t></is></c>'
                        for c in range(20)
                    ],
                )

        _inline_workbook(path, rows(), header=_header(20))
    elif kind in ("rows", "wide"):
        count, width = (210_000, 20) if kind == "rows" else (200_000, 30)
        letters = [column_letters(c) for c in range(width)]

        def rows():
            for n in range(2, count + 2):
                yield n, [f'<c r="{letter}{n}"><v>{n % 97}</v></c>' for letter in letters]

        _inline_workbook(path, rows(), header=_header(width))
    elif kind == "corners":
        _inline_workbook(
            path, iter([(200_000, ['<c r="XFD200000"><v>1</v></c>'])]), header=["姓名"]
        )
    elif kind == "corners_xls":
        import xlwt

        book = xlwt.Workbook()
        for index in range(4):
            sheet = book.add_sheet(f"表{index + 1}")
            sheet.write(0, 0, "姓名")
            sheet.write(65535, 255, 1)
        book.save(str(path))
    elif kind == "honest":
        from members.roster.fields import TEMPLATE_COLUMNS
        from tests import samples

        people = samples.people(200_000, [f"北京椿树基准{i}号科技有限公司" for i in range(1, 21)])
        rows = [["基准 花名册"], ["填报单位：椿树街道总工会"], list(TEMPLATE_COLUMNS)]
        rows += [[person[c] for c in TEMPLATE_COLUMNS] for person in people]
        write_xlsx(path, rows)
    return path


def describe(path: Path) -> dict:
    size = path.stat().st_size
    unpacked = None
    if zipfile.is_zipfile(path):
        unpacked = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
    return {"bytes": size, "unpacked": unpacked}


# --- steps run in a child process -------------------------------------------------


def peak_mb() -> float:
    """VmHWM: ru_maxrss would carry the parent's peak over fork and exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def django_setup() -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'hostile.sqlite3'}"
    os.environ["IMPORT_UPLOAD_ROOT"] = str(WORK / "uploads")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chunshu_union.settings.test")
    import django

    django.setup()


def prepare() -> dict:
    """A fresh SQLite street, migrated, with the 20 enterprises the honest
    roster names."""
    (WORK / "hostile.sqlite3").unlink(missing_ok=True)
    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from enterprises.credit_codes import make_credit_code
    from enterprises.models import Community, Enterprise

    community = Community.objects.get(position=1)
    for i in range(1, 21):
        Enterprise.objects.get_or_create(
            credit_code=make_credit_code(f"91110102MB{i:07d}"),
            defaults={"name": f"北京椿树基准{i}号科技有限公司", "community": community},
        )
    get_user_model().objects.create_user("bench", is_staff=True)
    return {"prepared": True}


def upload(path: str) -> dict:
    django_setup()
    from django.contrib.auth import get_user_model
    from django.core.files import File

    from enterprises.models import Community
    from members.models import ImportBatch
    from members.roster.services import import_batch_create

    community = Community.objects.get(position=1)
    started = time.perf_counter()
    with open(path, "rb") as handle:
        batch = import_batch_create(
            upload=File(handle, name=Path(path).name),
            community=community,
            by=get_user_model().objects.get(username="bench"),
        )
    seconds = time.perf_counter() - started
    batch = ImportBatch.objects.get(pk=batch.pk)
    # what the batch's row holds (faults, preview …), whatever the fields are called
    stored = sum(
        len(json.dumps(getattr(batch, field.attname), ensure_ascii=False, default=str).encode())
        for field in ImportBatch._meta.concrete_fields
    )
    return {
        "result": batch.state,
        "message": batch.message,
        "rows": batch.rows_total,
        "invalid": batch.invalid,
        "batch_row_mb": stored / 1e6,
        "seconds": seconds,
        "peak_mb": peak_mb(),
    }


# --- the orchestrating parent -----------------------------------------------------


def child(tree: Path, memory_mb: int, step: str, *args) -> dict:
    env = {**os.environ, "PYTHONPATH": f"{tree}:{BENCH}", "RUST_BACKTRACE": "0"}

    def limit():
        limit_bytes = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    command = [sys.executable, __file__, "--step", step, *map(str, args)]
    started = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=tree, preexec_fn=limit, check=False
    )
    if done.returncode:
        died = (
            f"killed by {signal.Signals(-done.returncode).name}"
            if done.returncode < 0
            else f"exit {done.returncode}"
        )
        last = (done.stderr.strip().splitlines() or [""])[-1][:160]
        return {
            "result": f"died ({died}) under the {memory_mb} MB limit",
            "seconds": time.perf_counter() - started,
            "detail": last,
        }
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", default=str(ROOT), help="the checkout whose code is measured")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--memory-limit", type=int, default=6144, help="MB of address space")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if options.step:
        steps = {"prepare": prepare, "upload": upload}
        print(json.dumps(steps[options.step](*options.args), ensure_ascii=False))
        return
    tree = Path(options.tree).resolve()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chunshu_union.settings.test")
    import django

    django.setup()  # the generators read the template's columns
    kinds = options.kinds.split(",")
    files = {kind: make(kind) for kind in kinds}
    child(tree, options.memory_limit, "prepare")
    results = []
    for kind in kinds:
        row = {"kind": kind, **describe(files[kind])}
        row.update(child(tree, options.memory_limit, "upload", files[kind]))
        results.append(row)
        print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
    print(table(results, tree))
    print(json.dumps(results, ensure_ascii=False))


def table(results: list[dict], tree: Path) -> str:
    commit = subprocess.run(
        ["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    lines = [
        f"code at `{commit}`",
        "",
        "| file | size | unpacked | outcome | seconds | peak MB |",
        "|---|---:|---:|---|---:|---:|",
    ]
    for r in results:
        unpacked = f"{r['unpacked'] / 1e6:,.0f} MB" if r.get("unpacked") else ""
        outcome = r["result"]
        if outcome == "failed":
            outcome = f"refused: {r['message']}"
        elif outcome == "previewed":
            outcome = (
                f"checked {r['rows']:,} rows ({r['invalid']:,} faulty;"
                f" the batch's row holds {r['batch_row_mb']:,.1f} MB)"
            )
        peak = f"{r['peak_mb']:,.0f}" if "peak_mb" in r else "—"
        lines.append(
            f"| {r['kind']} | {r['bytes'] / 1e6:,.2f} MB | {unpacked} | {outcome} |"
            f" {r['seconds']:.2f} | {peak} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
