"""The public pages: the form of a join link, and the status look-up."""

from django.urls import path

from . import views

app_name = "joining"

urlpatterns = [
    path("status/", views.status, name="status"),
    path("<slug:code>/", views.apply, name="apply"),
]
