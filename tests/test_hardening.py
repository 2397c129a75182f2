"""The smaller holes of the security review (issue 13, item 8), each as a
person would meet it: what the browser is told (Content-Security-Policy,
no-store), who a failed sign-in locks out behind the reverse proxy, what
the access log says about aid cases, and what the dashboard answers to a
POST. alice chairs community 1, sam is street staff, lee a leader; ann
handles emergency aid."""

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loaders.app_directories import get_app_template_dirs
from django.urls import get_resolver, reverse

from accounts.models import AccessLog, Role
from chunshu_union.quarters import Quarter
from dashboard.services import quarter_figures_compute
from dues.services import snapshots_recompute
from services.models import AidCase
from services.services import aid_submit
from tests import samples
from tests.dues.helpers import declare
from tests.factories import EnterpriseFactory, street, user
from tests.test_url_access import concrete, walk

ROOT = Path(__file__).resolve().parent.parent
ACME = "北京椿树一号科技有限公司"


# --- Content-Security-Policy -------------------------------------------------

#: One page of each door, and whose it is.
PAGES = [
    (None, "/accounts/login/"),
    ("sam", "/admin/"),
    ("sam", "/admin/members/member/"),
    ("alice", "/portal/"),
    ("alice", "/portal/members/"),
    ("lee", "/dashboard/"),
    ("alice", "/api/docs/"),
    ("alice", "/api/v1/"),
]


@pytest.fixture
def figures(community1):
    """One quarter of figures, so that the dashboard draws its page."""
    declare(EnterpriseFactory(community=community1), "2017Q1")
    snapshots_recompute(quarter=Quarter(2017, 1), today=datetime.date(2017, 12, 1))
    quarter_figures_compute(federation=street(), quarter=Quarter(2017, 1))


@pytest.fixture
def people(sam, alice, lee, figures):
    return {"sam": sam, "alice": alice, "lee": lee}


def fetch(client, people, who, url, **headers):
    if who:
        client.force_login(people[who])
    return client.get(url, **headers)


class _Assets(HTMLParser):
    """The URLs a page makes the browser load: scripts, style sheets, icons,
    images and frames."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def assets_of(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.urls


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize(("who", "url"), PAGES)
def test_every_page_answers_with_a_content_security_policy(client, people, who, url):
    response = fetch(client, people, who, url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # No inline script runs anywhere, the admin included.
    assert "'unsafe-inline'" not in policy.get("script-src", [])
    if not url.startswith("/admin/"):
        assert "'unsafe-eval'" not in policy.get("script-src", [])
        assert "'unsafe-inline'" not in policy.get("style-src", [])


@pytest.mark.parametrize(("who", "url"), PAGES)
def test_no_page_loads_anything_from_another_site(client, people, who, url):
    response = fetch(client, people, who, url, HTTP_ACCEPT="text/html")
    offsite = [u for u in assets_of(response.content.decode()) if re.match(r"(https?:)?//", u)]
    assert offsite == []


def test_the_api_docs_script_is_a_file_of_our_own(client, alice):
    """Swagger UI is served from static/ (the sidecar package) and its
    start-up script is a separate same-site file, not an inline block."""
    client.force_login(alice)
    page = client.get("/api/docs/").content.decode()
    scripts = assets_of(page)
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in s for s in scripts)
    assert re.search(r"<script>", page) is None
    start = next(s for s in scripts if "script" in s.split("?", 1)[-1])
    response = client.get(start)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()


def our_templates() -> list[Path]:
    dirs = [Path(d) for t in django_settings.TEMPLATES for d in t["DIRS"]]
    dirs += [Path(d) for d in get_app_template_dirs("templates") if ROOT in Path(d).parents]
    return sorted(p for d in dirs for p in d.rglob("*.html") if ".venv" not in p.parts)


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I), "inline script"),
    (re.compile(r"<style\b", re.I), "style block"),
    (re.compile(r"\sstyle=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_of_ours_holds_inline_script_or_style():
    """What the policy would block: behaviour lives in static/ files."""
    assert our_templates(), "no template found"
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in our_templates()
        for pattern, what in INLINE
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


# --- Cache-Control: no-store -------------------------------------------------


def assert_not_stored(response):
    assert "no-store" in response["Cache-Control"]
    assert response["Pragma"] == "no-cache"


@pytest.mark.parametrize(
    "url",
    [
        "/portal/",
        "/portal/members/",
        "/portal/enterprises/",
        "/portal/imports/",
        "/portal/template/",
    ],
)
def test_portal_pages_are_not_kept_by_browsers_or_proxies(client, alice, url):
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    assert_not_stored(response)


def test_api_answers_are_not_kept(client, alice, alices_member):
    client.force_login(alice)
    response = client.get("/api/v1/enterprises/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert_not_stored(response)


def test_admin_and_dashboard_pages_are_not_kept(client, sam, lee, figures):
    client.force_login(sam)
    assert_not_stored(client.get("/admin/members/member/"))
    client.force_login(lee)
    assert_not_stored(client.get("/dashboard/"))


def test_the_error_report_download_is_not_kept(
    client, alice, community1, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_UPLOAD_ROOT = tmp_path / "rosters"
    EnterpriseFactory(name=ACME, community=community1)
    client.force_login(alice)
    rows = [*samples.people(2, [ACME]), samples.person_row(9, ACME, 联系电话="12345")]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("portal:import_new"),
            {"file": SimpleUploadedFile("花名册.xlsx", samples.xlsx(rows))},
        )
    from members.models import ImportBatch

    batch = ImportBatch.objects.get()
    response = client.get(reverse("portal:import_report", args=[batch.pk]))
    assert response.status_code == 200
    assert_not_stored(response)


def test_static_files_stay_cacheable(client, db, settings):
    settings.WHITENOISE_USE_FINDERS = True  # as in development: no collectstatic here
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- Sign-in lockout behind the reverse proxy --------------------------------

PROXY = "10.0.0.2"  # the reverse proxy: every request reaches gunicorn from it


def sign_in(client, username, password, *, forwarded_for=None, remote=PROXY):
    headers = {"REMOTE_ADDR": remote}
    if forwarded_for:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post("/accounts/login/", {"username": username, "password": password}, **headers)


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    return settings


def test_behind_the_proxy_one_person_failing_does_not_lock_out_another(client, lockout, sam):
    lockout.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        sign_in(client, "sam", "guess", forwarded_for="198.51.100.7")
    # The guesser is locked out, even with the right password ...
    assert sign_in(client, "sam", "password", forwarded_for="198.51.100.7").status_code == 429
    # ... sam, at his own desk behind the same proxy, is not.
    response = sign_in(client, "sam", "password", forwarded_for="203.0.113.9")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(sam.pk)


def test_behind_the_proxy_a_forged_forwarded_for_does_not_help(client, lockout, sam):
    """The proxy appends the address it saw: only the last hop is trusted."""
    lockout.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        sign_in(client, "sam", "guess", forwarded_for=f"192.0.2.{n}, 198.51.100.7")
    forged = sign_in(client, "sam", "password", forwarded_for="192.0.2.99, 198.51.100.7")
    assert forged.status_code == 429


def test_without_a_proxy_the_forwarded_for_header_is_ignored(client, lockout, sam):
    lockout.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        sign_in(client, "sam", "guess", forwarded_for=f"192.0.2.{n}", remote="198.51.100.7")
    forged = sign_in(client, "sam", "password", forwarded_for="192.0.2.99", remote="198.51.100.7")
    assert forged.status_code == 429
    # sam from another address still gets in
    assert sign_in(client, "sam", "password", remote="203.0.113.9").status_code == 302


# --- Aid cases: every rendering is a logged view -----------------------------


@pytest.fixture
def ann(db):
    """Street staff holding the emergency-aid permissions."""
    person = user("ann", Role.STAFF)
    person.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="services",
            content_type__model__in=["aidcase", "aidattachment"],
        )
    )
    return person


@pytest.fixture
def case(alice, alices_member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return aid_submit(
        by=alice,
        member=alices_member,
        applied_on=datetime.date.today(),
        reason="家人重病住院",
        amount_requested=Decimal("2000.00"),
    )


def views_logged(case: AidCase) -> int:
    return AccessLog.objects.filter(
        action=AccessLog.Action.VIEW_AID,
        object_type="services.aidcase",
        object_id=str(case.pk),
    ).count()


def logged_once(client, case, request) -> None:
    before = views_logged(case)
    response = request()
    assert response.status_code == 200
    assert case.member.name in response.content.decode()  # the case is on the page
    assert views_logged(case) == before + 1


def test_opening_the_case_is_logged(client, ann, case):
    client.force_login(ann)
    logged_once(client, case, lambda: client.get(f"/admin/services/aidcase/{case.pk}/change/"))


def test_a_case_shown_again_after_a_refused_post_is_logged(client, ann, case):
    client.force_login(ann)
    page = client.get(f"/admin/services/aidcase/{case.pk}/change/")
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    data = {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-file": SimpleUploadedFile("notes.txt", b"not a scan"),
        f"{prefix}-0-description": "",
    }
    logged_once(
        client,
        case,
        lambda: client.post(f"/admin/services/aidcase/{case.pk}/change/", data),
    )


def test_a_step_page_is_logged_when_shown_and_when_shown_again(client, ann, case):
    client.force_login(ann)
    url = f"/admin/services/aidcase/{case.pk}/step/approve/"
    logged_once(client, case, lambda: client.get(url))
    # a refused step (no amount) shows the case again
    logged_once(client, case, lambda: client.post(url, {"amount": "", "note": ""}))


def test_a_step_done_logs_nothing_until_the_case_is_shown(client, ann, case):
    client.force_login(ann)
    before = views_logged(case)
    response = client.post(f"/admin/services/aidcase/{case.pk}/step/review/", {"note": "属实"})
    assert response.status_code == 302
    assert views_logged(case) == before


def test_the_case_history_is_logged(client, ann, case):
    client.force_login(ann)
    before = views_logged(case)
    response = client.get(f"/admin/services/aidcase/{case.pk}/history/")
    assert response.status_code == 200
    assert views_logged(case) == before + 1


# --- The dashboard only reads --------------------------------------------------

DASHBOARD = sorted(
    (route, name)
    for route, name in walk(get_resolver().url_patterns)
    if name.startswith("dashboard:")
)


@pytest.mark.parametrize(("route", "name"), DASHBOARD, ids=[n for _, n in DASHBOARD])
def test_the_dashboard_refuses_a_post(client, lee, figures, route, name):
    client.force_login(lee)
    response = client.post(concrete(route))
    assert response.status_code == 405
    assert sorted(response["Allow"].split(", ")) == ["GET", "HEAD"]


def test_the_dashboard_answers_head(client, lee, figures):
    client.force_login(lee)
    assert client.head("/dashboard/").status_code == 200
