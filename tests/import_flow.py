"""Driving the one import flow (chunshu_union.imports) through the admin, as
staff do: upload, wait for the check, look at the preview, confirm, undo.
The background tasks run inline (Celery eager) once the request's
transaction commits, which the on-commit capture stands in for."""

from django.urls import reverse


def upload(client, capture, model, path, **data):
    """Post `path` on the upload page of `model` (an ImportJob table);
    returns the job, checked."""
    meta = model._meta
    with open(path, "rb") as handle, capture(execute=True):
        response = client.post(
            reverse(f"admin:{meta.app_label}_{meta.model_name}_add"), {"file": handle, **data}
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = model.objects.latest("pk")
    assert response["Location"] == job_url(job)
    return job


def job_url(job, view: str = "job", **kwargs) -> str:
    meta = job._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[job.pk], **kwargs)


def act(client, capture, job, view: str, **data):
    """Post confirm, cancel or undo; returns the job page it lands on."""
    with capture(execute=True):
        response = client.post(job_url(job, view), data, follow=True)
    job.refresh_from_db()
    return response
