"""The notice list in the portal: what the system told the signed-in chair
(or staff member), newest first; opening one marks it read."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from chunshu_union.decorators import portal_required

from .models import Notice
from .services import notice_mark_read


@portal_required
def inbox(request):
    notices = Notice.objects.inbox(request.user)
    page = Paginator(notices, 50).get_page(request.GET.get("page"))
    unread = notices.filter(read_at__isnull=True).count()
    return render(request, "notices/inbox.html", {"page": page, "unread": unread})


@require_POST
@portal_required
def mark_read(request, pk: int):
    notice = get_object_or_404(Notice.objects.inbox(request.user), pk=pk)
    notice_mark_read(notice=notice, user=request.user)
    if notice.link and notice.link.startswith("/"):
        return redirect(notice.link)
    return redirect("notices:inbox")
