from django.db import models

from .models import AccessLog


def access_log_record(
    *, user, action: str, obj: models.Model | None = None, detail: str = ""
) -> AccessLog:
    return AccessLog.objects.create(
        user=user,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail[:200],
    )


def access_log_admin_export(*, sender, user, rows: int, file_format: str, **kwargs) -> AccessLog:
    """The receiver of `chunshu_union.admin_exports.export_made`: every
    export from the admin is in the access log (which table, how many rows,
    which format; never the filters, which may hold a searched name)."""
    return AccessLog.objects.create(
        user=user,
        action=AccessLog.Action.EXPORT,
        object_type=sender._meta.label_lower,
        detail=f"admin export: {rows} rows, {file_format}",
    )
