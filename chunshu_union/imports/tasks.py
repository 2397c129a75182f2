"""The import flow's Celery tasks live beside the flow they drive
(`engine`: the flow queues them, they run it); named here so that Celery's
autodiscovery, which looks for a `tasks` module, finds them."""

from .engine import import_job_check, import_job_commit
from .upkeep import import_jobs_purge, import_jobs_reap

__all__ = ["import_job_check", "import_job_commit", "import_jobs_purge", "import_jobs_reap"]
