"""Every URL needs a login unless it is on the short, reviewed public list;
a URL that takes an object id never hands another community's or another
street's object to a chair or to another street's staff; no list shows
another street's rows.

These walk all URL patterns, so a new page without a decision fails here."""

import io
import re
import zipfile

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver

from accounts import roles
from accounts.models import Role, User
from chunshu_union.api_urls import router
from dues.models import UnmatchedDeclaration
from enterprises.models import Community, Federation
from joining.models import JoinApplication
from members.models import ImportBatch, Member, TransferRequest
from notices.models import SmsOptOut
from services.models import Event, Finding, ServiceOffer, ServiceRequest, Visit, WelfareItem
from surveys.models import NeedFinding, Survey
from tests.factories import MARKER, another_street, community, everything_of, user
from tests.surveys.factories import surveys_of

#: Reviewed: these answer without a login, and why.
PUBLIC = {
    "login": "the sign-in page",
    "admin:login": "the admin's sign-in page",
    "healthz": "the load balancer's probe; says only that the database answers",
    "logout": "signing out needs no session",
    "admin:logout": "signing out needs no session",
    "set_language": "choosing Chinese or English (a cookie, POST only)",
    "joining:apply": "a worker's join form, reached by a link or QR code (issue 19); rate-limited"
    " per address and ID number, shows back only a reference code",
    "joining:status": "an applicant's look-up by reference code and phone; rate-limited per"
    " address, one answer for a wrong code and a wrong phone",
    "surveys_public:answer": "a survey answered by link or QR code (issue 20): the link's"
    " random key is the door; a members-only survey asks for ID number and phone; rate-limited",
    "surveys_public:done": "the thanks (and quiz score) page after answering; shows only the"
    " answer this browser's session has just made",
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


# --- Another community's or another street's object, through every URL -------
#
# Every URL that takes an object id is asked, by people who must not see the
# object, for one of everything (tests/factories.everything_of) that belongs
# to another community or another street. A chair gets 404 (at the doors
# chairs never pass, the admin and the dashboard, the door turns them away);
# staff bound to another street get 404, 403, or the admin's "does not
# exist". The object's own chair, or a superuser, asking the same URL proves
# that the URL does name the object. A new URL with an id and no decision
# below fails here.

ID_PARAM = re.compile(r"pk|id|\w*_id")

#: Pages outside the admin and the API that take an object id: the model.
OBJECT_PAGES = {
    "portal:import_detail": ImportBatch,
    "portal:import_progress": ImportBatch,
    "portal:import_rows": ImportBatch,
    "portal:import_confirm": ImportBatch,
    "portal:import_cancel": ImportBatch,
    "portal:import_undo": ImportBatch,
    "portal:import_retry": ImportBatch,
    "portal:import_report": ImportBatch,
    "portal:transfer_detail": TransferRequest,
    **{
        f"portal:member_{action}": Member
        for action in (
            "detail",
            "details",
            "jingcard",
            "verify",
            "hold",
            "retired",
            "keep_working",
            "resume",
            "end",
            "transfer",
            "correction",
        )
    },
    "services_portal:request_accept": ServiceRequest,
    "services_portal:request_fulfil": ServiceRequest,
    "services_portal:event_detail": Event,
    "services_portal:event_attend": Event,
    "joining_portal:detail": JoinApplication,
    "joining_portal:approve": JoinApplication,
    "joining_portal:refuse": JoinApplication,
    "services_portal:visit_detail": Visit,
    "services_portal:finding_close": Finding,
    "services_portal:request_rate": ServiceRequest,
    "dashboard:community": Community,
    "dashboard:enterprises": Community,
    "dashboard:enterprises_xlsx": Community,
    "surveys:results": Survey,
    "surveys:export_answers": Survey,
    "surveys:export_summary": Survey,
    "surveys:qr": Survey,
    "surveys:report": Event,
    "surveys:finding_act": NeedFinding,
}

#: Reviewed: object URLs not asked, and why.
OBJECT_SKIPPED = {
    "notices:read": "a notice is marked read by its own recipient only (Notice.objects.inbox):"
    " everyone else, a superuser too, gets 404 (tests/notices/test_hooks.py)",
    "admin:view_on_site": "redirects to an object's get_absolute_url, which no model here "
    "defines (test_no_model_can_be_viewed_on_site): a 404 for every object",
    "services_portal:handout_batch": "a welfare batch is the whole street's: every chair of the "
    "street hands it out (WelfareBatch.for_user); another street's batch and another community's "
    "member are 404s (tests/portal/test_chair_portal.py)",
    "services_portal:handout_give": "as services_portal:handout_batch",
}

#: Reviewed: rows that belong to no street, which any street's staff may see
#: (a chair never enters the admin, where they are listed).
NO_STREET = {
    WelfareItem: "a catalogue every street shares",
    ServiceOffer: "a catalogue every street shares (the service menu)",
    UnmatchedDeclaration: "a declaration matching no enterprise belongs to no street yet; "
    "every street's staff match them",
    Group: "groups and their rights are the superuser's (accounts/roles.py)",
    SmsOptOut: "a phone's choice not to get SMS holds on every street; shown masked",
}
NO_STREET_APPS = {
    "axes": "sign-in records: the superuser's (no group holds rights to them)",
    "django_celery_beat": "scheduled jobs: the superuser's",
}

#: Values for the parameters that are not an object id: valid ones, so that
#: a 404 comes from the scoping, never from a bad parameter.
OTHER_PARAMS = {
    "which": "obligated",
    "step": "review",
    "kind": "new",
    "decision": "approve",
    "format": "json",
    "action": "offer",
}

#: The doors chairs never pass, and what they answer instead of a 404.
CHAIRS_TURNED_AWAY = {"admin/": 302, "dashboard/": 403}


def url_for(route: str, pk) -> str:
    def value(name: str) -> str:
        if ID_PARAM.fullmatch(name):
            return str(pk)
        assert name in OTHER_PARAMS, f"{route}: give <{name}> a value in OTHER_PARAMS"
        return OTHER_PARAMS[name]

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), route)
    path = path.replace("<drf_format_suffix:format>", ".json")
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), path)
    path = path.replace("\\Z", "").replace("^", "").replace("$", "").replace("\\", "")
    path = re.sub(r"[?*+]", "", path)
    return "/" + path.lstrip("/")


def model_of(route: str, name: str):
    """The model whose id the URL takes; None when no decision was made. An
    admin URL's name says it (services_aidattachment_download), else its
    path (admin/members/member/<object_id>/)."""
    if name.startswith("admin:"):
        for model in apps.get_models():
            if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
                return model
    found = re.match(r"admin/(\w+)/(\w+)/", route)
    if found:
        return apps.get_model(*found.groups())
    api = {f"{b}-detail": v.serializer_class.Meta.model for _p, v, b in router.registry}
    return api.get(name) or OBJECT_PAGES.get(name)


def params(route: str) -> list[str]:
    return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)]


OBJECT_ROUTES = [
    (route, name)
    for route, name in ROUTES
    if "(?P<url>" not in route  # the admin's catch-all: a 404 for whatever it is given
    and any(ID_PARAM.fullmatch(p) for p in params(route))
]


def test_every_url_with_an_object_id_names_its_model():
    undecided = [
        route
        for route, name in OBJECT_ROUTES
        if name not in OBJECT_SKIPPED and model_of(route, name) is None
    ]
    assert not undecided, f"add to OBJECT_PAGES (or OBJECT_SKIPPED, with why): {undecided}"


def test_no_model_can_be_viewed_on_site():
    assert not [m for m in apps.get_models() if hasattr(m, "get_absolute_url")]


@pytest.fixture
def worlds(db, settings, tmp_path):
    """Everything of bob's community (Chunshu's second), and of another street
    (whose texts hold another marker: it is that street's staff who look)."""
    settings.MEDIA_ROOT = tmp_path
    worlds = everything_of(community(2)), everything_of(another_street(), marker="乙街自家")
    for world, marker in zip(worlds, (MARKER, "乙街自家"), strict=True):
        world.update(surveys_of(world, marker))  # issue 20: surveys, event notes, findings
    return worlds


def _ask(client, url: str, **kwargs):
    response = client.get(url, **kwargs)
    if response.status_code == 405:  # an action: asked the way it is meant to be
        response = client.post(url, **kwargs)
    return response


def _object_urls(world):
    """(route, url, model) for every object URL, with `world`'s object's id."""
    for route, name in OBJECT_ROUTES:
        if name in OBJECT_SKIPPED:
            continue
        model = model_of(route, name)
        if model in world:
            yield route, url_for(route, world[model].pk), model
        elif route.startswith("admin/"):
            yield route, url_for(route, 10**6), model  # chairs: the door answers first
        else:
            raise AssertionError(f"{route}: tests/factories.everything_of makes no {model}")


def test_a_chair_gets_404_for_another_communitys_object_through_every_url(client, alice, worlds):
    wrong = []
    for world in worlds:
        for route, url, model in _object_urls(world):
            client.force_login(alice)
            response = _ask(client, url)
            door = next((d for d in CHAIRS_TURNED_AWAY if route.startswith(d)), None)
            if door:
                if response.status_code != CHAIRS_TURNED_AWAY[door] or (
                    door == "admin/" and "/login/" not in response["Location"]
                ):
                    wrong.append((url, response.status_code, "the door let alice in"))
            elif response.status_code != 404:
                wrong.append((url, response.status_code, f"alice reached the {model.__name__}"))
            else:
                client.force_login(world[User])  # the chair of the object's community
                if _ask(client, url).status_code == 404:
                    wrong.append((url, 404, "its own chair gets 404 too: proves nothing"))
    assert not wrong, "\n".join(map(str, wrong))


def _staff_of(street: Federation) -> User:
    """Street staff bound to `street`, with every right staff can hold."""
    dave = user("dave", Role.STAFF, federation=street)
    dave.groups.add(roles.group(roles.STAFF_GROUP), roles.group(roles.AID_GROUP))
    return dave


def _text(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxml"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            return "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8", "replace")


def _belongs_to_a_street(model) -> bool:
    return model not in NO_STREET and model._meta.app_label not in NO_STREET_APPS


def test_staff_of_another_street_get_nothing_of_this_one_through_every_url(client, worlds):
    here = worlds[0]
    dave = _staff_of(worlds[1][Federation])
    root = user("root", Role.STAFF, is_superuser=True)
    wrong = []
    for route, url, model in _object_urls(here):
        if not _belongs_to_a_street(model) or model not in here:
            continue
        client.force_login(dave)
        response = _ask(client, url)
        if not _hidden_from_staff(response, url):
            wrong.append((url, response.status_code, f"dave reached the {model.__name__}"))
        elif not _standard_admin_page(route):  # those name their model by construction
            client.force_login(root)
            control = _ask(client, url)
            if control.status_code == 404 or control.get("Location") == "/admin/":
                wrong.append((url, control.status_code, "hidden from a superuser: proves nothing"))
    assert not wrong, "\n".join(map(str, wrong))


def _hidden_from_staff(response, url: str) -> bool:
    """404, 403, the admin's "does not exist" (back to its index), or the
    admin's bare object URL, which only redirects to the object's page
    (asked on its own)."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response["Location"] in ("/admin/", f"{url}change/")


def _standard_admin_page(route: str) -> bool:
    return bool(re.fullmatch(r"admin/\w+/\w+/<path:object_id>/(change/|history/|delete/)?", route))


# --- Every list, as staff of another street ------------------------------------

LIST_ROUTES = [
    (route, name)
    for route, name in ROUTES
    if name not in PUBLIC and "(?P<format>" not in route and not params(route)
]

#: A search for part of the marker: the page repeats what was asked, so only
#: a row found can put the whole marker on it.
SEARCH = MARKER[:2]

#: Lists that show something only when asked for it.
LIST_QUERIES = {"admin:search": f"?s={SEARCH}&extended=1"}


def _list_urls(route: str, name: str) -> list[str]:
    url = url_for(route, 0)
    asked = [url + LIST_QUERIES.get(name, "")]
    if name.endswith("_changelist") or name.startswith("portal:"):
        asked.append(f"{url}?q={SEARCH}")  # a search goes through the same scoping
    return asked


@pytest.mark.slow  # every list page, searched, as two streets' staff
def test_staff_of_another_street_see_nothing_of_this_one_in_any_list(client, worlds):
    here = worlds[0]
    dave = _staff_of(worlds[1][Federation])
    root = user("root", Role.STAFF, is_superuser=True)
    wrong, opened = [], 0
    for route, name in LIST_ROUTES:
        for url in _list_urls(route, name):
            client.force_login(dave)
            response = client.get(url)
            if response.status_code != 200:
                continue
            opened += 1
            if MARKER in _text(response):
                wrong.append((url, "shows something of another street"))
            changelist = response.context.get("cl") if response.context else None
            model = changelist.model if changelist else None
            if model not in here or not _belongs_to_a_street(model):
                continue
            if changelist.root_queryset.filter(pk=here[model].pk).exists():
                wrong.append((url, f"lists another street's {model.__name__}"))
            if "?" not in url:
                client.force_login(root)
                if not client.get(url).context["cl"].root_queryset.filter(pk=here[model].pk):
                    wrong.append((url, "a superuser does not see it either: proves nothing"))
    assert opened > 60, f"dave opened only {opened} lists: did staff lose their rights?"
    assert not wrong, "\n".join(map(str, wrong))


def test_staff_of_another_street_see_nothing_of_this_one_in_any_api_list(client, worlds):
    here = worlds[0]
    dave = _staff_of(worlds[1][Federation])
    root = user("root", Role.STAFF, is_superuser=True)
    for prefix, viewset, _basename in router.registry:
        mine = here[viewset.serializer_class.Meta.model].pk
        client.force_login(root)
        assert mine in _ids(client, prefix), f"/api/v1/{prefix}/: proves nothing"
        client.force_login(dave)
        assert mine not in _ids(client, prefix), f"/api/v1/{prefix}/ lists another street's"


def _ids(client, prefix: str) -> set[int]:
    response = client.get(f"/api/v1/{prefix}/")
    assert response.status_code == 200, prefix
    body = response.json()
    return {row["id"] for row in (body["results"] if isinstance(body, dict) else body)}


def test_every_model_the_admin_lists_is_made_by_the_access_tests(worlds):
    """A model added to the admin needs a row in everything_of (or a reason
    in NO_STREET), or the tests above would not ask for it."""
    from django.contrib import admin

    missing = [
        model.__name__
        for model in admin.site._registry
        if _belongs_to_a_street(model) and model not in worlds[0]
    ]
    assert not missing, f"add to tests/factories.everything_of (or NO_STREET): {missing}"
