"""The staff admin's look (django-unfold)."""

from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _


def _can_see_aid(request) -> bool:
    from chunshu_union.access import can_see_aid

    return can_see_aid(request.user)


def _is_superuser(request) -> bool:
    """Accounts are the superuser's alone (accounts/admin.py)."""
    return request.user.is_superuser


UNFOLD = {
    "SITE_TITLE": _("Chunshu Union"),
    "SITE_HEADER": _("Chunshu Street Trade Union"),
    "SITE_URL": "/",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "STYLES": [lambda request: static("css/admin.css")],
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": True,
        "navigation": [
            {
                "title": _("Organisation"),
                "items": [
                    {
                        "title": _("Enterprises"),
                        "icon": "apartment",
                        "link": reverse_lazy("admin:enterprises_enterprise_changelist"),
                    },
                    {
                        "title": _("Communities"),
                        "icon": "location_city",
                        "link": reverse_lazy("admin:enterprises_community_changelist"),
                    },
                    {
                        "title": _("Buildings"),
                        "icon": "domain",
                        "link": reverse_lazy("admin:enterprises_building_changelist"),
                    },
                ],
            },
            {
                "title": _("Members"),
                "items": [
                    {
                        "title": _("Members"),
                        "icon": "group",
                        "link": reverse_lazy("admin:members_member_changelist"),
                    },
                    {
                        "title": _("Memberships"),
                        "icon": "badge",
                        "link": reverse_lazy("admin:members_membership_changelist"),
                    },
                    {
                        "title": _("Transfers"),
                        "icon": "swap_horiz",
                        "link": reverse_lazy("admin:members_transfer_changelist"),
                    },
                    {
                        "title": _("Roster imports"),
                        "icon": "upload_file",
                        "link": reverse_lazy("admin:members_importbatch_changelist"),
                    },
                ],
            },
            {
                "title": _("Union funds"),
                "items": [
                    {
                        "title": _("Declarations"),
                        "icon": "receipt_long",
                        "link": reverse_lazy("admin:dues_declaration_changelist"),
                    },
                    {
                        "title": _("Declaration imports"),
                        "icon": "upload_file",
                        "link": reverse_lazy("admin:dues_declarationimport_changelist"),
                    },
                    {
                        "title": _("Rate snapshots"),
                        "icon": "percent",
                        "link": reverse_lazy("admin:dues_ratesnapshot_changelist"),
                    },
                    {
                        "title": _("Suspected zombies"),
                        "icon": "report",
                        "link": reverse_lazy("admin:dues_zombieflag_changelist"),
                    },
                ],
            },
            {
                "title": _("Services"),
                "items": [
                    {
                        "title": _("Visits"),
                        "icon": "directions_walk",
                        "link": reverse_lazy("admin:services_visit_changelist"),
                    },
                    {
                        "title": _("The two 2s"),
                        "icon": "fact_check",
                        "link": reverse_lazy("admin:services_visit_two_twos"),
                    },
                    {
                        "title": _("Emergency aid"),
                        "icon": "volunteer_activism",
                        "link": reverse_lazy("admin:services_aidcase_changelist"),
                        "permission": _can_see_aid,
                    },
                    {
                        "title": _("Welfare handouts"),
                        "icon": "redeem",
                        "link": reverse_lazy("admin:services_handout_changelist"),
                    },
                    {
                        "title": _("Events"),
                        "icon": "event",
                        "link": reverse_lazy("admin:services_event_changelist"),
                    },
                    {
                        "title": _("Sheet imports"),
                        "icon": "upload_file",
                        "link": reverse_lazy("admin:services_sheetimport_changelist"),
                    },
                    {
                        "title": _("Service requests"),
                        "icon": "room_service",
                        "link": reverse_lazy("admin:services_servicerequest_changelist"),
                    },
                    {
                        "title": _("Surveys and quizzes"),
                        "icon": "quiz",
                        "link": reverse_lazy("admin:surveys_survey_changelist"),
                    },
                    {
                        "title": _("Collective agreements"),
                        "icon": "handshake",
                        "link": reverse_lazy("admin:enterprises_collectiveagreement_changelist"),
                    },
                ],
            },
            {
                "title": _("Joining and notices"),
                "items": [
                    {
                        "title": _("Join applications"),
                        "icon": "person_add",
                        "link": reverse_lazy("admin:joining_joinapplication_changelist"),
                    },
                    {
                        "title": _("Join links"),
                        "icon": "qr_code_2",
                        "link": reverse_lazy("admin:joining_joinlink_changelist"),
                    },
                    {
                        "title": _("Declaration reminders"),
                        "icon": "notifications_active",
                        "link": reverse_lazy("reminders"),
                    },
                    {
                        "title": _("Notices"),
                        "icon": "mail",
                        "link": reverse_lazy("admin:notices_notice_changelist"),
                    },
                    {
                        "title": _("SMS opt-outs"),
                        "icon": "phonelink_erase",
                        "link": reverse_lazy("admin:notices_smsoptout_changelist"),
                    },
                ],
            },
            {
                "title": _("Accounts"),
                "items": [
                    {
                        "title": _("Users"),
                        "icon": "person",
                        "link": reverse_lazy("admin:accounts_user_changelist"),
                        "permission": _is_superuser,
                    },
                    {
                        "title": _("API tokens"),
                        "icon": "key",
                        "link": reverse_lazy("admin:accounts_apitoken_changelist"),
                    },
                ],
            },
        ],
    },
}
