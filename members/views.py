"""The chair portal: the to-do list of a community chair, their own
enterprises and members (each member's page, with what a chair may do
through the members services), and the roster imports (upload, progress,
preview, confirm, undo)."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import AccessLog
from accounts.services import access_log_record
from chunshu_union import access
from chunshu_union.decorators import portal_required
from chunshu_union.imports.engine import (
    can_cancel,
    can_retry,
    job_cancel,
    job_confirm,
    job_retry,
    job_undo,
)
from chunshu_union.imports.selectors import preview_rows, progress_of
from enterprises.models import Community, Enterprise

from .admin_find import looks_like_id_number
from .forms import ConfirmForm, RosterUploadForm
from .id_lookup import member_find_by_id_number
from .models import ImportBatch, Member, Membership, TransferRequest
from .portal import todo_list
from .retirement import retirement_due
from .roster.faults import open_faulty_rows
from .roster.report import error_report
from .roster.services import import_batch_create
from .roster.template import roster_template

MEMBER_SHOWS = {
    "unverified": gettext_lazy("Not yet verified"),
    "retirement": gettext_lazy("At retirement age, to confirm"),
    "held": pgettext_lazy("portal", "Membership held"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_KINDS = ("invalid", "new", "changed", "transferred", "elsewhere", "unchanged", "leaving")


@portal_required
def index(request):
    """The chair's to-do list: one count per thing waiting, each a link to
    the list behind it (members.portal gathers them from every app)."""
    enterprises = Enterprise.objects.for_user(request.user)
    context = {
        "communities": Community.objects.for_user(request.user),
        "todo": todo_list(request.user),
        "enterprise_count": enterprises.count(),
        "member_count": _count(request.user, Member.objects.for_user(request.user)),
        "recent_imports": ImportBatch.objects.for_user(request.user)
        .light()
        .select_related("community", "created_by")[:5],
    }
    return render(request, "portal/index.html", context)


@portal_required
def enterprise_list(request):
    enterprises = (
        Enterprise.objects.for_user(request.user)
        .select_related("community", "building")
        .annotate(open_members=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        .order_by("name", "pk")  # the annotation's GROUP BY drops the model's ordering
    )
    query = request.GET.get("q", "").strip()
    if query:
        enterprises = enterprises.filter(Q(name__icontains=query) | Q(credit_code__iexact=query))
    page = Paginator(enterprises, 50).get_page(request.GET.get("page"))
    return render(request, "portal/enterprise_list.html", {"page": page, "q": query})


@portal_required
def member_list(request):
    """Names are searched by GET (`?q=`). A full ID number is posted, never
    put in a URL (web servers log URLs): the server looks it up by its
    digest and answers with the page itself."""
    members = Member.objects.for_user(request.user).order_by("name", "pk")
    if request.method == "POST":
        return _member_by_id_number(request, members)
    query = request.GET.get("q", "").strip()
    show = request.GET.get("show", "")
    if show in MEMBER_SHOWS:
        members = _shown(request.user, members, show)
        if query:
            members = members.filter(name__icontains=query)
        page = Paginator(members, 50).get_page(request.GET.get("page"))
        context = {"page": page, "q": query, "show": show, "show_label": MEMBER_SHOWS[show]}
        return render(request, "portal/member_list.html", context)
    paginator = Paginator(members, 50)
    if query and looks_like_id_number(query):
        messages.warning(request, _("Search for an ID number with the search box on this page."))
        paginator, query = Paginator(members.none(), 50), ""
    else:
        if query:
            paginator = Paginator(members.filter(name__icontains=query), 50)
        paginator.count = _count(request.user, paginator.object_list, name=query)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "portal/member_list.html", {"page": page, "q": query})


def _shown(user, members, show: str):
    """The members behind a line of the to-do list."""
    if show == "unverified":
        return members.filter(verified_at__isnull=True)
    if show == "held":
        return members.filter(pk__in=Membership.objects.for_user(user).held().values("member_id"))
    return retirement_due(user=user, community=getattr(user, "community_id", None))


def _count(user, members, *, name: str = "") -> int:
    """How many `members` (a chair's, whose names contain `name`). A chair's
    members are the open memberships of their community, one per person (a
    constraint): counting those rows is the same figure without walking
    every member's row through the scope's subquery of ids (issue 16, at
    300,000 members in one community: 6 s → 0.4 s, docs/PERFORMANCE.md,
    "Load"). Staff see the street's history too, which this does not count."""
    if not access.is_chair(user):
        return members.count()
    memberships = Membership.objects.for_user(user).open()
    if name:
        memberships = memberships.filter(member__name__icontains=name)
    return memberships.count()


def _member_by_id_number(request, members):
    query = request.POST.get("q", "").strip()
    if not looks_like_id_number(query):
        # A name typed in the box: the ordinary GET search, which can be paged.
        return redirect(f"{request.path}?{urlencode({'q': query})}" if query else request.path)
    try:
        member = member_find_by_id_number(user=request.user, members=members, number=query)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        member = None
    found = members.filter(pk=member.pk) if member is not None else members.none()
    page = Paginator(found, 50).get_page(1)
    return render(request, "portal/member_list.html", {"page": page, "q": "", "by_id": True})


# --- roster imports ------------------------------------------------------------


def _batch(request, pk: int, queryset=None) -> ImportBatch:
    """Another community's import is a 404, never a 403 (its existence is
    not the chair's business). `queryset`: which columns to load (by
    default all but the sealed faulty rows)."""
    if queryset is None:
        queryset = ImportBatch.objects.defer("faulty_rows").select_related(
            "community", "created_by"
        )
    return get_object_or_404(queryset.for_user(request.user), pk=pk)


@portal_required
def template_download(request):
    community = (
        request.user.community
        if access.is_chair(request.user)
        else Community.objects.for_user(request.user)
        .filter(pk=request.GET.get("community"))
        .first()
    )
    enterprises = Enterprise.objects.for_user(request.user)
    if community is not None:
        enterprises = enterprises.filter(community=community)
    names = list(enterprises.order_by("name").values_list("name", flat=True))
    label = community.name if community else _("Street")
    data = roster_template(community_name=label, enterprise_names=names)
    return _xlsx(data, f"{label}会员花名册模板.xlsx")


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = _attachment(filename)
    return response


def _attachment(filename: str) -> str:
    return f"attachment; filename=\"roster.xlsx\"; filename*=UTF-8''{quote(filename)}"


@portal_required
def import_list(request):
    batches = (
        ImportBatch.objects.for_user(request.user).light().select_related("community", "created_by")
    )
    page = Paginator(batches, 30).get_page(request.GET.get("page"))
    return render(request, "portal/import_list.html", {"page": page, "q": ""})


@portal_required
def import_new(request):
    form = RosterUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        community = form.target_community()
        if community is None:
            messages.error(request, _("Your account is not linked to a community."))
        else:
            batch = import_batch_create(
                upload=form.cleaned_data["file"], community=community, by=request.user
            )
            return redirect("portal:import_detail", pk=batch.pk)
    return render(request, "portal/import_new.html", {"form": form})


@portal_required
def import_detail(request, pk):
    batch = _batch(
        request,
        pk,
        ImportBatch.objects.defer("preview", "faulty_rows")
        .select_related("community", "created_by")
        .annotate(report_kept=ExpressionWrapper(~Q(faulty_rows=""), output_field=BooleanField())),
    )
    counts = [
        ("invalid", _("Faulty"), batch.invalid),
        ("new", _("New"), batch.created),
        ("changed", _("Changed"), batch.updated),
        ("transferred", _("Transferred in"), batch.transferred),
        ("elsewhere", _("Members elsewhere"), batch.elsewhere),
        ("unchanged", _("Unchanged"), batch.unchanged),
        ("leaving", _("No longer listed"), batch.leaving),
    ]
    fault_counts = sorted(batch.fault_counts.items(), key=lambda item: -item[1])
    context = {
        "batch": batch,
        "counts": counts,
        "confirm_form": ConfirmForm(),
        "progress": progress_of(batch),
        "can_cancel": can_cancel(batch),
        "can_retry": can_retry(batch),
        "first_faults": batch.errors[:20],
        "faulty_rows_listed": len({f["row"] for f in batch.errors}),
        "fault_counts": fault_counts,
        "transfer_requests": batch.transfer_requests.select_related("member", "to_enterprise"),
    }
    return render(request, "portal/import_detail.html", context)


@portal_required
def import_progress(request, pk):
    """Polled by htmx every second while the import runs; once it is done,
    the whole page reloads to show the preview or the result. It reads
    only the state and the counters, however large the batch's preview
    and faults."""
    batch = get_object_or_404(ImportBatch.objects.for_user(request.user).for_progress(), pk=pk)
    response = render(
        request, "portal/_import_progress.html", {"batch": batch, "progress": progress_of(batch)}
    )
    if not batch.is_running and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@portal_required
def import_rows(request, pk, kind):
    if kind not in PREVIEW_KINDS:
        raise Http404
    batch = _batch(request, pk)
    if kind == "invalid":
        items = _faulty_rows(batch)
    else:
        items = preview_rows(batch, kind)
    page = Paginator(items, settings.ROSTER_PREVIEW_PAGE).get_page(request.GET.get("page"))
    template = (
        "portal/_import_rows.html"
        if request.headers.get("HX-Request")
        else "portal/import_rows.html"
    )
    return render(request, template, {"batch": batch, "kind": kind, "page": page, "q": ""})


def _faulty_rows(batch: ImportBatch) -> list[dict]:
    by_row: dict[int, list] = {}
    for fault in batch.errors:
        by_row.setdefault(fault["row"], []).append(fault)
    return [{"row": row, "faults": faults} for row, faults in by_row.items()]


def _act(request, pk: int, act, done: str = ""):
    """Confirm, cancel, retry or undo an import of the chair's own: the
    service decides, a refusal becomes a message."""
    batch = _batch(request, pk, ImportBatch.objects.light())
    try:
        act(batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if done:
            messages.success(request, done)
    return redirect("portal:import_detail", pk=batch.pk)


@require_POST
@portal_required
def import_confirm(request, pk):
    form = ConfirmForm(request.POST)
    skip = form.is_valid() and form.cleaned_data["skip_invalid"]
    return _act(request, pk, lambda batch: job_confirm(job=batch, skip_invalid=skip))


@require_POST
@portal_required
def import_cancel(request, pk):
    return _act(
        request,
        pk,
        lambda batch: job_cancel(job=batch),
        _("The import was cancelled; nothing was written."),
    )


@require_POST
@portal_required
def import_retry(request, pk):
    return _act(
        request, pk, lambda batch: job_retry(job=batch), _("The file is being checked again.")
    )


@require_POST
@portal_required
def import_undo(request, pk):
    return _act(
        request, pk, lambda batch: job_undo(job=batch, by=request.user), _("The import was undone.")
    )


@portal_required
def import_report(request, pk):
    """The faulty rows of the chair's own file, opened from the batch's
    sealed copy. A download of personal data: logged."""
    batch = _batch(
        request, pk, ImportBatch.objects.only("id", "filename", "invalid", "faulty_rows")
    )
    if not batch.invalid:
        messages.info(request, _("This import has no faulty rows."))
        return redirect("portal:import_detail", pk=batch.pk)
    if not batch.faulty_rows:
        messages.info(
            request,
            _(
                "The faulty rows of this import have been deleted (they are kept only while the"
                " import is open, and %(days)d days at most). Upload the file again to get a"
                " new error report."
            )
            % {"days": settings.IMPORT_FILES_DAYS},
        )
        return redirect("portal:import_detail", pk=batch.pk)
    data = error_report(open_faulty_rows(batch.faulty_rows))
    return personal_data_export(
        request, data, f"错误报告-{batch.filename}.xlsx", obj=batch, detail="roster error report"
    )


def personal_data_export(request, data: bytes, filename: str, *, obj, detail: str):
    """Every download that carries personal data goes out through here, and
    is written to the access log as an export."""
    access_log_record(user=request.user, action=AccessLog.Action.EXPORT, obj=obj, detail=detail)
    return _xlsx(data, filename)


# --- transfer requests (转会申请) -------------------------------------------------


@portal_required
def transfer_list(request):
    requests = TransferRequest.objects.for_user(request.user).select_related(
        "member", "to_enterprise", "batch"
    )
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    return render(request, "portal/transfer_list.html", {"page": page, "q": ""})


@portal_required
def transfer_detail(request, pk):
    """The chair's own request: its state and, if refused, why. Another
    community's request is a 404. Nothing of the member's other community
    is shown, only what the chair's file said."""
    transfer_request = get_object_or_404(
        TransferRequest.objects.for_user(request.user).select_related(
            "member", "to_enterprise", "batch"
        ),
        pk=pk,
    )
    return render(request, "portal/transfer_detail.html", {"transfer_request": transfer_request})
