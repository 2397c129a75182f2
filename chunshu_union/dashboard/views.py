from django.shortcuts import render

from chunshu_union.decorators import figures_required


@figures_required
def index(request):
    return render(request, "dashboard/index.html", {})
