"""The public answering pages: anyone with the link (or the QR code)."""

from django.urls import path

from . import views

app_name = "surveys_public"

urlpatterns = [
    path("<str:key>/", views.answer, name="answer"),
    path("<str:key>/done/", views.done, name="done"),
]
