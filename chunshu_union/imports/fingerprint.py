"""A digest of what a check found in the database, so that a commit can
tell whether the database still is as the preview showed it."""

import hashlib


def fingerprint(*parts) -> str:
    """SHA-256 over the `repr` of each part, in order: parts are lists of
    plain values (ids, dicts of field values, dates), sorted by the caller
    where their order does not matter."""
    digest = hashlib.sha256()
    for part in parts:
        for item in part:
            digest.update(repr(item).encode())
            digest.update(b"\x1f")
        digest.update(b"\x1e")
    return digest.hexdigest()
