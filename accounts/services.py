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
