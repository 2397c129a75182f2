"""Uploads refused early and kindly.

Django reads a multipart body to its end, spooling every file to disk,
before any view can say the file is too large; a 1 GB post used to end,
after the whole gigabyte had been written to /tmp, in a 500. Here:

- `UploadLimitMiddleware` answers 413 from the request's Content-Length,
  before anything reads the body: a Chinese page in the look of the part of
  the site the user was in (the admin's for /admin/), or the same sentence
  as JSON for the API. The web server in front says the same, earlier still,
  with `client_max_body_size` (README, "Running with docker compose").
- `UploadLimitHandler` (first in FILE_UPLOAD_HANDLERS) counts each file as
  it streams in and stops the parsing once a file passes
  IMPORT_MAX_FILE_BYTES, whatever the headers said; the request never
  reaches its view, and the same 413 answers it.

Every importer checks again, before parsing, what the file would become
(`chunshu_union.tabular`); every refusal is a sentence, never a traceback.
"""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

_REFUSED = "_upload_refused"


def too_large_message() -> str:
    return _("The file is larger than %(mb)d MB; please split it into smaller files.") % {
        "mb": settings.IMPORT_MAX_FILE_BYTES // (1024 * 1024)
    }


def declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class UploadTooLarge(RequestDataTooBig):
    """Raised by the handler, mid-body: the request ends here (Django makes
    it a 400, which the middleware turns into the 413 below)."""


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if declared_length(request) > settings.UPLOAD_MAX_REQUEST_BYTES:
            return upload_refused(request)
        response = self.get_response(request)
        if getattr(request, _REFUSED, False):
            return upload_refused(request)
        return response


class UploadLimitHandler(FileUploadHandler):
    """Passes every chunk on to Django's own handlers, counting: a file past
    IMPORT_MAX_FILE_BYTES stops the parsing, so no more of it is read or
    written to disk."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.UPLOAD_MAX_REQUEST_BYTES:
            self._refuse()

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.IMPORT_MAX_FILE_BYTES:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler makes the file

    def _refuse(self):
        setattr(self.request, _REFUSED, True)
        raise UploadTooLarge(too_large_message())


def upload_refused(request):
    """413 with the sentence: JSON for the API, else a page."""
    message = too_large_message()
    accept = request.headers.get("Accept", "")
    if request.path_info.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    ):
        return JsonResponse({"detail": message}, status=413)
    context = {"message": message, "back": _same_site_referer(request)}
    if _in_admin(request):
        context |= admin.site.each_context(request) | {"base_template": "admin/base_site.html"}
    else:
        context["base_template"] = "base.html"
    context["title"] = _("The file is too large")
    return TemplateResponse(request, "413.html", context, status=413).render()


def _in_admin(request) -> bool:
    try:
        return request.path_info.startswith(reverse("admin:index"))
    except NoReverseMatch:
        return False


def _same_site_referer(request) -> str:
    """Where the user came from (the upload page), if it is this site."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""
