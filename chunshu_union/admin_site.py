"""The staff admin's site: django-unfold's, with one door rule — only street
staff get in (chairs and leaders have their own pages, never /admin/)."""

from django.apps import AppConfig, apps
from django.contrib import admin
from django.contrib.admin import sites
from django.utils.translation import gettext_lazy as _
from unfold.sites import UnfoldAdminSite

from . import access


class StaffAdminSite(UnfoldAdminSite):
    site_title = _("Chunshu Union")
    site_header = _("Chunshu Street Trade Union")
    index_title = _("Street staff administration")

    def has_permission(self, request):
        return access.is_street_staff(request.user) and request.user.is_staff


class StaffUnfoldConfig(AppConfig):
    """Takes the place of unfold's own app config (same app, our site)."""

    name = "unfold"
    label = "unfold"

    def ready(self):
        site = StaffAdminSite()
        admin.site = site
        sites.site = site
        # django-axes names its app by its label ("Axes"), which no catalogue
        # can translate; the admin index shows it under a name staff can read.
        apps.get_app_config("axes").verbose_name = _("Login protection")
