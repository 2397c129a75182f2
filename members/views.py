"""The chair portal: a community chair's own enterprises and members."""

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render

from chunshu_union import access
from chunshu_union.decorators import portal_required
from enterprises.models import Enterprise

from .models import Member


@portal_required
def index(request):
    enterprises = Enterprise.objects.for_user(request.user)
    context = {
        "communities": access.communities_for(request.user),
        "enterprise_count": enterprises.count(),
        "member_count": Member.objects.for_user(request.user).count(),
    }
    return render(request, "portal/index.html", context)


@portal_required
def enterprise_list(request):
    enterprises = (
        Enterprise.objects.for_user(request.user)
        .select_related("community", "building")
        .annotate(open_members=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
    )
    query = request.GET.get("q", "").strip()
    if query:
        enterprises = enterprises.filter(Q(name__icontains=query) | Q(credit_code__iexact=query))
    page = Paginator(enterprises, 50).get_page(request.GET.get("page"))
    return render(request, "portal/enterprise_list.html", {"page": page, "q": query})


@portal_required
def member_list(request):
    members = Member.objects.for_user(request.user).order_by("name", "pk")
    query = request.GET.get("q", "").strip()
    if query:
        members = members.filter(name__icontains=query) | Member.objects.for_user(
            request.user
        ).with_id_number(query.upper())
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    return render(request, "portal/member_list.html", {"page": page, "q": query})
