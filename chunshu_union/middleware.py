"""Request-wide rules: the language, the Content-Security-Policy, no caching
of anything the app says, and the client's real address behind the proxy."""

import ipaddress

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control


class DefaultLanguageMiddleware:
    """Chinese unless the user chose otherwise.

    Django's LocaleMiddleware follows the browser's Accept-Language, which on
    many office machines says English; our users read Chinese. So only an
    explicit choice (the language cookie set by /i18n/setlang/) overrides
    LANGUAGE_CODE."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """Nothing this app answers is kept by a browser or a proxy: member
    lists, API answers and error reports carry personal data, and a page
    left in a shared office computer's cache or a proxy's disk is a leak.
    One rule for every page, rather than a list of URL prefixes a new page
    could miss. Static files are served by WhiteNoise before this runs and
    keep their long caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        response.headers.setdefault("Pragma", "no-cache")  # HTTP/1.0 caches
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY), with the
    relaxations django-unfold needs (settings.ADMIN_CONTENT_SECURITY_POLICY_UPDATE)
    added on the admin's pages only."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        match = getattr(request, "resolver_match", None)
        if not report_only and match is not None and "admin" in match.namespaces:
            update = dict(parts.update or {})
            for directive, sources in settings.ADMIN_CONTENT_SECURITY_POLICY_UPDATE.items():
                update[directive] = [*update.get(directive, []), *sources]
            parts.update = update
        return parts


def client_address(request) -> str | None:
    """The address a request really comes from, for the sign-in lockout
    (django-axes' AXES_CLIENT_IP_CALLABLE).

    Each of the TRUSTED_PROXY_COUNT proxies in front of the app appends the
    address it received the request from to X-Forwarded-For, so the client
    is that many entries from the right; whatever stands further left was
    written by the client and proves nothing. With no trusted proxy, or a
    header shorter or stranger than the proxies would write, it is the
    connection's own address."""
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return remote
