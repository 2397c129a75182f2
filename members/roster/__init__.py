"""Rosters: how members get in.

One importer, used by the chair portal (through Celery), the admin and the
`import_roster` command:

    checked = roster_check(source=..., filename=..., community=...)   # read, validate, diff
    result = roster_import(source=..., filename=..., by=user)           # check + write + batch
    job_undo(job=batch, by=user)                                       # chunshu_union.imports.engine

`fields` says which columns mean what, `validate` turns rows into clean
values or faults, `diff` compares them with the database, `write` applies a
plan in bulk, `report` and `template` make the workbooks users download.
"""
