"""One flow for every import: rosters, the tax bureau's declarations, and
the sign-off and sign-in sheets.

Each import is a row (a concrete `ImportJob`) that lives through the same
states::

    pending → validating → previewed → committing → committed → undone
                  ↘ failed        ↘ cancelled

The uploaded file is kept outside the web root until the job is confirmed
or cancelled; the check runs in the background (Celery) and writes its
progress on the row; the preview is what the check found, and nothing is
written until someone confirms it; the commit checks the file again against
the database as it is then; undo puts back what the commit did.

An app supplies an `Importer` (`engine.Importer`): how to check a file, what
to keep of the check on the row, how to write it and how to undo it. The
states, the file, the tasks, the locking against a task that runs twice and
the staff's pages (`admin.ImportJobAdmin`) are here, once.

This package is the ground floor: it imports no app.
"""
