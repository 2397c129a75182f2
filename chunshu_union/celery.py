import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chunshu_union.settings.dev")

app = Celery("chunshu_union")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The import flow is not an app: its tasks are named here.
app.autodiscover_tasks(["chunshu_union.imports"])
