from django.urls import path

from . import portal_views, views

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("members/", views.member_list, name="member_list"),
    path("members/<int:pk>/", portal_views.member_detail, name="member_detail"),
    path("members/<int:pk>/details/", portal_views.member_details, name="member_details"),
    path("members/<int:pk>/jingcard/", portal_views.member_jingcard, name="member_jingcard"),
    path("members/<int:pk>/verify/", portal_views.member_verify, name="member_verify"),
    path("members/<int:pk>/hold/", portal_views.member_hold, name="member_hold"),
    path("members/<int:pk>/retired/", portal_views.member_retired, name="member_retired"),
    path(
        "members/<int:pk>/keep-working/",
        portal_views.member_keep_working,
        name="member_keep_working",
    ),
    path("members/<int:pk>/resume/", portal_views.member_resume, name="member_resume"),
    path("members/<int:pk>/end/", portal_views.member_end, name="member_end"),
    path("members/<int:pk>/transfer/", portal_views.member_transfer, name="member_transfer"),
    path("members/<int:pk>/correction/", portal_views.member_correction, name="member_correction"),
    path("template/", views.template_download, name="roster_template"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/rows/<slug:kind>/", views.import_rows, name="import_rows"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/undo/", views.import_undo, name="import_undo"),
    path("imports/<int:pk>/retry/", views.import_retry, name="import_retry"),
    path("imports/<int:pk>/report.xlsx", views.import_report, name="import_report"),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
]
