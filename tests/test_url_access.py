"""Every URL needs a login unless it is on the short, reviewed public list.

This walks all URL patterns, so a new page without a decision fails here."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

#: Reviewed: these answer without a login, and why.
PUBLIC = {
    "login": "the sign-in page",
    "admin:login": "the admin's sign-in page",
    "healthz": "the load balancer's probe; says only that the database answers",
    "logout": "signing out needs no session",
    "admin:logout": "signing out needs no session",
    "set_language": "choosing Chinese or English (a cookie, POST only)",
}


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}" if entry.name else ""


def concrete(route: str) -> str:
    """A URL for a pattern, with every parameter filled with a plausible value."""
    path = re.sub(r"\(\?P<format>[^)]*\)", "json", route)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    path = path.replace("<drf_format_suffix:format>", ".json")
    path = re.sub(
        r"<(?:(\w+):)?(\w+)>", lambda m: "1" if m.group(1) in (None, "int") else "x", path
    )
    path = path.replace("\\Z", "").replace("^", "").replace("$", "").replace("\\", "")
    path = re.sub(r"[()?*+]", "", path)
    return "/" + path.lstrip("/")


ROUTES = sorted(set(walk(get_resolver().url_patterns)))


@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[r for r, _ in ROUTES])
def test_every_url_needs_a_login_unless_reviewed_public(client, db, route, name):
    if name in PUBLIC:
        return
    response = client.get(concrete(route))
    if response.status_code == 405:  # a POST-only action: it must turn strangers away too
        response = client.post(concrete(route))
    if response.status_code in (301, 302):
        assert "login" in response["Location"], (
            f"{route} redirects elsewhere than to a sign-in page"
        )
    else:
        assert response.status_code in (401, 403), (
            f"{route} answered {response.status_code} without a login"
        )


def test_the_public_list_only_names_urls_that_exist():
    names = {name for _, name in ROUTES}
    assert set(PUBLIC) <= names
