"""Finding a member by full ID number in the admin without the number ever
being part of a URL (web servers and proxies log every URL): the number is
posted, turned into its digest on the server, and the answer is a redirect
to the member's own page, whose address carries only the member's id. The
changelist's search box (a GET) searches names only, and refuses a number."""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from chunshu_union.tabular.normalize import clean_text

from .id_lookup import member_find_by_id_number

#: Something a person would type as an ID number: 15 to 18 digits (or X).
_NUMBER_LIKE = re.compile(r"^[0-9]{14,17}[0-9Xx]$")


def looks_like_id_number(text: str) -> bool:
    return bool(_NUMBER_LIKE.match(clean_text(text).replace(" ", "")))


class IdNumberFindMixin:
    list_before_template = "members/admin/member_find.html"
    search_help_text = _("Name. To find someone by ID number, use “Find by ID number”.")

    def get_urls(self):
        return [
            path(
                "find/",
                self.admin_site.admin_view(require_POST(self.find_view)),
                name="members_member_find",
            ),
            *super().get_urls(),
        ]

    def find_view(self, request):
        number = request.POST.get("id_number", "")
        try:
            member = member_find_by_id_number(
                user=request.user, members=self.get_queryset(request).only("pk"), number=number
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("admin:members_member_changelist")
        if member is None:
            messages.info(request, _("No member you may see has this ID number."))
            return redirect("admin:members_member_changelist")
        return redirect("admin:members_member_change", member.pk)

    def get_search_results(self, request, queryset, search_term):
        if looks_like_id_number(search_term):
            messages.warning(
                request,
                _(
                    "An ID number is not searched here, where it would be kept in the web"
                    " address; use “Find by ID number”."
                ),
            )
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)
