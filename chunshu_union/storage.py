"""Where the import flow keeps an uploaded file until it is written or
dropped (docs/SCALING.md, "Uploads").

On one machine: a folder, IMPORT_UPLOAD_ROOT. When the web servers and the
Celery workers run on different machines they cannot share a folder, so
with STORAGE_S3_BUCKET set the files go to S3-compatible object storage
(MinIO, Ceph, a cloud's) through django-storages:

    STORAGE_S3_BUCKET        the bucket (private; never given a public URL)
    STORAGE_S3_ENDPOINT_URL  e.g. http://minio.internal:9000 (empty: AWS)
    STORAGE_S3_ACCESS_KEY, STORAGE_S3_SECRET_KEY
    STORAGE_S3_REGION        default us-east-1
    STORAGE_S3_PREFIX        a folder inside the bucket, default "imports"

The settings are read at each use, so a test (or a deployment's settings
module) can switch the storage without re-importing the models.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings


def s3_settings() -> tuple | None:
    bucket = getattr(settings, "STORAGE_S3_BUCKET", "")
    if not bucket:
        return None
    return (
        bucket,
        getattr(settings, "STORAGE_S3_ENDPOINT_URL", "") or None,
        getattr(settings, "STORAGE_S3_ACCESS_KEY", "") or None,
        getattr(settings, "STORAGE_S3_SECRET_KEY", "") or None,
        getattr(settings, "STORAGE_S3_REGION", "") or "us-east-1",
        getattr(settings, "STORAGE_S3_PREFIX", "imports"),
    )


@lru_cache(maxsize=4)
def _s3(config: tuple):
    from storages.backends.s3 import S3Storage

    bucket, endpoint, access_key, secret_key, region, prefix = config
    return S3Storage(
        bucket_name=bucket,
        endpoint_url=endpoint,
        access_key=access_key,
        secret_key=secret_key,
        region_name=region,
        location=prefix,
        default_acl="private",
        querystring_auth=True,
        file_overwrite=False,  # a name taken gets another, as on a disk
        # Personal data: never cached by a proxy, and encrypted at rest where
        # the store offers it.
        object_parameters={"CacheControl": "no-store"},
    )


def import_s3_storage():
    """The object storage for uploads, or None (uploads stay in the folder)."""
    config = s3_settings()
    return _s3(config) if config else None
