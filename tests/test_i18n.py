"""One catalogue, complete and compiled.

All the Chinese is in locale/zh_Hans/LC_MESSAGES/django.po (README, "One
catalogue"). These fail when a msgid, with its context, is in it twice (so
one of its two translations never shows), when an entry is empty or fuzzy,
when the committed .mo is not the compiled .po, when a string of our own code
has no Chinese, and when an admin, portal or dashboard page shows a Chinese
reader English words (third-party apps' names and columns included).

Over 500 lines because it carries its own tools, the string extractor and the
page reader (each tested here), which serve these checks and nothing else.
"""

import ast
import gettext
import io
import json
import os
import re
import tokenize
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from django.utils.translation.template import templatize
from django_celery_beat.models import CrontabSchedule

from accounts.models import Role, User
from tests.factories import community, everything_of, user

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
COMPILE = f"msgfmt --check -o {COMPILED.relative_to(ROOT)} {CATALOGUE.relative_to(ROOT)}"

#: Folders that hold no code shown to users (or no code of ours).
NOT_OURS = {
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "tests",
    "bench",
    "docs",
    "static",
    "staticfiles",
    "migrations",
    "locale",
    "__pycache__",
}


# --- The catalogue, read with a parser of our own (no polib) ---------------------


@dataclass
class Entry:
    context: str | None
    msgid: str
    plural: str | None
    msgstrs: list[str]
    fuzzy: bool
    line: int

    @property
    def key(self) -> tuple[str | None, str]:
        return self.context, self.msgid

    def __str__(self):
        where = f"line {self.line}: "
        return where + (f"[{self.context}] " if self.context else "") + repr(self.msgid)


_FIELD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$')


def read_catalogue(path: Path = CATALOGUE) -> list[Entry]:
    """The entries of a .po file (obsolete `#~` ones left out; the header, the
    entry with the empty msgid, too)."""
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    flags: set[str] = set()
    start, last = 0, ""

    def close():
        if fields.get("msgid"):
            strs = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
            entries.append(
                Entry(
                    fields.get("msgctxt"),
                    fields["msgid"],
                    fields.get("msgid_plural"),
                    strs,
                    "fuzzy" in flags,
                    start,
                )
            )
        fields.clear()
        flags.clear()

    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        complete = any(k.startswith("msgstr") for k in fields)
        if line.startswith("#"):
            if complete:
                close()
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        field = _FIELD.match(line)
        if field:
            last = field[1]
            if last in ("msgctxt", "msgid") and complete:
                close()
            if last in ("msgctxt", "msgid") and not fields:
                start = n
            fields[last] = ast.literal_eval(field[2])
        elif line.startswith('"') and last:
            fields[last] += ast.literal_eval(line)
        else:
            raise AssertionError(f"{path}:{n}: not a line of a .po file: {raw!r}")
    close()
    return entries


def test_there_is_one_catalogue():
    found = [path.relative_to(ROOT) for path in _our_files((".po",), NOT_OURS - {"locale"})]
    assert found == [CATALOGUE.relative_to(ROOT)], (
        "Translations go into the one project catalogue (README, 'One catalogue')"
    )
    assert [Path(p) for p in settings.LOCALE_PATHS] == [ROOT / "locale"]


def test_no_msgid_is_in_the_catalogue_twice():
    """Django keeps one translation per msgid and context: a second entry is
    a translation that never shows. One word with two meanings takes a
    context (pgettext, `{% translate "item" context "welfare" %}`)."""
    entries = read_catalogue()
    counts = Counter(e.key for e in entries)
    twice = [str(e) for e in entries if counts[e.key] > 1]
    assert not twice, "in the catalogue twice:\n" + "\n".join(twice)


def test_every_entry_has_its_chinese():
    """An empty or fuzzy entry shows English (msgfmt leaves fuzzy ones out)."""
    untranslated = [str(e) for e in read_catalogue() if e.fuzzy or not all(e.msgstrs)]
    assert not untranslated, "empty or fuzzy:\n" + "\n".join(untranslated)


def _lookup_key(context: str | None, msgid: str) -> str:
    return f"{context}\x04{msgid}" if context else msgid


def test_the_committed_mo_is_the_compiled_catalogue():
    expected: dict = {}
    for e in read_catalogue():
        if e.fuzzy:
            continue
        key = _lookup_key(e.context, e.msgid)
        if e.plural is None:
            expected[key] = e.msgstrs[0]
        else:
            expected.update({(key, i): s for i, s in enumerate(e.msgstrs)})
    with COMPILED.open("rb") as mo:
        compiled = dict(gettext.GNUTranslations(mo)._catalog)
    compiled.pop("", None)
    stale = sorted(
        repr(k) for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k)
    )
    assert not stale, f"the .mo is out of date; run `{COMPILE}`:\n" + "\n".join(stale[:20])


# --- Every string of our code has its Chinese ---------------------------------------

#: gettext's functions and where their msgid, plural and context are.
_ARGS = {
    "_": (0, None, None),
    "gettext": (0, None, None),
    "gettext_lazy": (0, None, None),
    "gettext_noop": (0, None, None),
    "ngettext": (0, 1, None),
    "ngettext_lazy": (0, 1, None),
    "pgettext": (1, None, 0),
    "pgettext_lazy": (1, None, 0),
    "npgettext": (1, 2, 0),
    "npgettext_lazy": (1, 2, 0),
}


def _messages_in(tree: ast.AST, where: str, line: int = 1):
    """(where, context, msgid, plural) of every gettext call with literal strings."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in _ARGS:
            continue
        msgid_at, plural_at, context_at = _ARGS[name]
        literal = [isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args]
        if len(node.args) <= msgid_at or not literal[msgid_at]:
            continue
        if context_at is not None and not literal[context_at]:
            continue
        yield (
            f"{where}:{node.lineno + line - 1}",
            node.args[context_at].value if context_at is not None else None,
            node.args[msgid_at].value,
            node.args[plural_at].value if plural_at is not None else None,
        )


def _template_messages(path: Path, where: str):
    """What makemessages reads in a template: Django's templatize turns it into
    gettext calls among blanks, each call on one line, and each is read as
    Python."""
    text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if "(" not in line or line.startswith("#"):
            continue
        tokens = list(tokenize.generate_tokens(io.StringIO(line).readline))
        for i, tok in enumerate(tokens[:-1]):
            if tok.type != tokenize.NAME or tok.string not in _ARGS or tokens[i + 1].string != "(":
                continue
            depth = 0
            for end in tokens[i + 1 :]:
                depth += {"(": 1, ")": -1}.get(end.string, 0)
                if depth == 0:
                    break
            call = line[tok.start[1] : end.end[1]]
            yield from _messages_in(ast.parse(call, mode="eval"), where, n)


def _our_files(suffixes: tuple[str, ...], skip: set[str] = NOT_OURS):
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = sorted(d for d in subfolders if d not in skip)
        yield from (Path(folder, f) for f in sorted(files) if f.endswith(suffixes))


def _our_sources():
    for path in _our_files((".py", ".html", ".txt")):
        if path.suffix == ".py":
            yield path, "py"
        elif "templates" in path.relative_to(ROOT).parts:
            yield path, "template"


def messages_of_our_code() -> list[tuple[str, str | None, str, str | None]]:
    found = []
    for path, kind in _our_sources():
        where = str(path.relative_to(ROOT))
        if kind == "py":
            found += _messages_in(ast.parse(path.read_text(encoding="utf-8")), where)
        else:
            found += _template_messages(path, where)
    return found


def test_the_extractor_finds_what_makemessages_would():
    """Sanity: the extractor sees strings in Python and in both template tags."""
    found = {(c, m) for _w, c, m, _p in messages_of_our_code()}
    assert (None, "phone") in found  # members/models.py, a field's verbose_name
    assert ("person", "name") in found  # {% translate "name" context "person" %}
    assert ("welfare", "item") in found  # pgettext_lazy in services' models
    assert len(found) > 800


def test_every_string_of_our_code_has_its_chinese():
    """Looked up as the pages look it up: Django's merged catalogue for
    zh-hans (ours, Django's and the installed apps'), so a msgid that Django
    itself translates ("Save") needs no entry of ours."""
    with translation.override("zh-hans"):
        catalogue = translation.trans_real.translation("zh-hans")._catalog
        missing = []
        for where, context, msgid, plural in messages_of_our_code():
            key = _lookup_key(context, msgid)
            chinese = catalogue.get((key, 0) if plural else key)
            if not chinese:
                missing.append(f"{where}: " + (f"[{context}] " if context else "") + repr(msgid))
    assert not missing, (
        "no Chinese for these (append them to the catalogue, then "
        f"`{COMPILE}`):\n" + "\n".join(missing)
    )


def test_words_with_two_meanings_say_the_right_one():
    """The catalogues disagreed on these (issue 15, item 6); a context keeps
    each meaning where one English word has two."""
    from dues.models import Declaration
    from enterprises.models import Enterprise
    from members.models import Member, Verification
    from services.models import WelfareBatch

    def label(model, field):
        return str(model._meta.get_field(field).verbose_name)

    with translation.override("zh-hans"):
        assert label(WelfareBatch, "item") == "慰问品"
        assert label(WelfareBatch, "campaign") == "慰问活动"
        assert label(Declaration, "item") == "征收项目"
        assert label(Verification, "campaign") == "核准工作"
        assert label(Member, "phone") == "联系电话"  # the roster's column
        assert label(Member, "education") == "文化程度"  # the roster's column
        assert label(Enterprise, "name") == "名称"
        assert translation.pgettext("person", "name") == "姓名"
        assert translation.pgettext("enterprise", "from") == "原企业"
        assert translation.gettext("Transferred in") == translation.gettext("transfer in") == "调入"


# --- What the Chinese pages show -----------------------------------------------------

#: Latin words a Chinese page may show: names of standards, file kinds, keys.
ALLOWED_WORDS = {
    *("API", "APP", "CSV", "Excel", "GB", "ID", "ODS", "SHA", "XLSX", "xlsx", "xls", "csv", "ods"),
    *("JPEG", "PDF", "PNG", "LibreOffice", "OpenDocument", "WPS"),
    "esc",  # unfold's search box: the key that closes it
}

#: English that no catalogue can reach: third-party code writes it without
#: gettext. Reviewed; each with where it comes from.
KNOWN_ENGLISH = {
    r"Correlation ID": "django-auditlog's column title (auditlog/mixins.py, a plain string)",
    r"system": "django-auditlog's actor of an entry made by no user (a plain string)",
    r"\d+ changes?: .*": "django-auditlog's summary of an entry's changes (a plain string)",
    r"Task Name": "django-celery-beat's verbose_name, a plain string",
    r"Human readable|Crontab translation|Scheduler": "django-celery-beat's admin columns without a title",
    r"Status": "django-axes' column of the lock-out state, without a title",
    r"Cron (Days Of The Week|Months).*": "django-celery-beat's help texts, plain strings",
}


_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z’'-]*[A-Za-z](?![A-Za-z0-9])")
_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}


class _VisibleText(HTMLParser):
    """The words a reader sees: text outside scripts and styles, and the
    placeholders and titles of the elements. Not: unfold's icons (a font
    draws the word "search" as a magnifier) and the lists that are data,
    not words of ours (time zones, Django's English permission names)."""

    HIDDEN_TAGS = {"script", "style", "template", "noscript"}
    DATA_SELECTS = {"timezone", "permissions", "user_permissions", "regtask"}

    def __init__(self):
        super().__init__()
        self.open: list[tuple[str, bool]] = []
        self.chunks: list[str] = []

    def _hidden(self) -> bool:
        return any(hidden for _tag, hidden in self.open)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if not self._hidden():
            self.chunks += [
                attrs[a] for a in ("placeholder", "title", "aria-label") if attrs.get(a)
            ]
        if tag in _VOID:
            return
        hidden = (
            tag in self.HIDDEN_TAGS
            or "material-symbols" in (attrs.get("class") or "")
            or (tag == "select" and attrs.get("name") in self.DATA_SELECTS)
        )
        self.open.append((tag, hidden))

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                return

    def handle_data(self, data):
        if data.strip() and not self._hidden():
            self.chunks.append(data.strip())


_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def english_on(html: str, data_words: set[str]) -> set[str]:
    """The English words of a page, as phrases: a text that holds Chinese is
    translated (its Latin words are names: "按住 Control 键"), and words
    that are the street's data are not ours to translate."""
    parser = _VisibleText()
    parser.feed(html)
    found = set()
    for chunk in parser.chunks:
        chunk = " ".join(chunk.split())
        if _CHINESE.search(chunk) or any(re.fullmatch(k, chunk) for k in KNOWN_ENGLISH):
            continue
        words = [w for w in _WORD.findall(chunk) if w not in ALLOWED_WORDS | data_words]
        if words:
            found.add(chunk[:80])
    return found


def _pages_without_parameters(prefix: str):
    def walk(patterns, route="", namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, route + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern) and entry.name:
                yield route + str(entry.pattern), f"{namespace}{entry.name}"

    for route, name in walk(get_resolver().url_patterns):
        if route.startswith(prefix):
            try:
                yield reverse(name)
            except NoReverseMatch:  # takes an id or a slug
                continue


@dataclass
class Street:
    root: User
    chair: User
    data_words: set[str]


@pytest.fixture
def street(db, lee):
    """One of everything in the first community, so that every changelist has
    a row and so shows its columns (django-axes' too); a superuser, its chair
    and lee the leader."""
    things = everything_of(community(1), marker="甲街")
    seen = {"ip_address": "127.0.0.1", "user_agent": "甲街", "username": "someone"}
    AccessAttempt.objects.create(**seen, failures_since_start=1)
    AccessFailureLog.objects.create(**seen)
    AccessLog.objects.create(**seen)
    root = user("root", Role.STAFF, is_superuser=True, is_staff=True)
    return Street(root, things[User], data_words())


def data_words() -> set[str]:
    """The Latin words in the database (user names, task names, the field
    names in the audit log's changes, time zones): data, not our strings."""
    texts = [ct.model for ct in ContentType.objects.all()]
    texts += [c.human_readable for c in [*CrontabSchedule.objects.all(), CrontabSchedule()]]
    for model in {*admin.site._registry, ContentType}:
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for obj in model._default_manager.all()[:200]:
            texts.append(str(obj))
            texts += [json.dumps(getattr(obj, name), ensure_ascii=False) for name in fields]
    return {word for text in texts for word in _WORD.findall(text)}


def test_the_page_reader_finds_english_but_not_icons_data_or_chinese():
    html = (
        '<nav><span class="material-symbols-outlined">search</span>审计日志 Audit</nav>'
        "<table><th>Access attempts</th><td>root</td><td>按住 Control 键</td></table>"
        '<input placeholder="Select value"><script>var English = 1;</script>'
    )
    assert english_on(html, data_words={"root"}) == {"Access attempts", "Select value"}


def _english_pages(client, reader, urls, data_words):
    """{url: English phrases} of the pages `reader` may open (a page refused
    to them is left out), and how many were read."""
    client.force_login(reader)
    client.cookies["django_language"] = "zh-hans"
    found, read = {}, 0
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        read += 1
        phrases = english_on(response.content.decode(), data_words)
        if phrases:
            found[url] = sorted(phrases)
    return found, read


def _admin_pages():
    yield reverse("admin:index")
    for model, _admin in admin.site._registry.items():
        meta = model._meta
        for view in ("changelist", "add"):
            yield reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}")
        yield reverse("admin:app_list", args=[meta.app_label])


def _report(found: dict) -> str:
    return "\n".join(f"{url}: {' | '.join(phrases)}" for url, phrases in found.items())


@pytest.mark.slow
def test_the_chinese_admin_shows_no_english(client, street):
    pages = sorted(set(_admin_pages()))
    found, read = _english_pages(client, street.root, pages, street.data_words)
    assert read > len(pages) * 0.8  # the superuser opens nearly all (not some add pages)
    assert not found, "English on the Chinese admin:\n" + _report(found)


@pytest.mark.slow
def test_the_chinese_portal_and_dashboard_show_no_english(client, street, lee):
    found = {}
    for reader, prefix in (
        (street.chair, "portal/"),
        (lee, "dashboard/"),
        (street.root, "dashboard/"),
    ):
        urls = list(_pages_without_parameters(prefix))
        pages, read = _english_pages(client, reader, urls, street.data_words)
        assert read, f"{reader.username} could open none of {urls}"
        found.update({f"{reader.username} {url}": phrases for url, phrases in pages.items()})
    assert not found, "English on the Chinese pages:\n" + _report(found)
