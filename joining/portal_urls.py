"""The chair's pages, under /portal/joining/."""

from django.urls import path

from . import views

app_name = "joining_portal"

urlpatterns = [
    path("", views.portal_list, name="list"),
    path("<int:pk>/", views.portal_detail, name="detail"),
    path("<int:pk>/approve/", views.portal_approve, name="approve"),
    path("<int:pk>/refuse/", views.portal_refuse, name="refuse"),
]
