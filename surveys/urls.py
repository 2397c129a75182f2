"""Staff's and chairs' survey pages (login required)."""

from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/answers.xlsx", views.export_answers, name="export_answers"),
    path("<int:pk>/summary.xlsx", views.export_summary, name="export_summary"),
    path("<int:pk>/qr.svg", views.qr, name="qr"),
    path("events/<int:pk>/report/", views.report, name="report"),
    path("findings/<int:pk>/<str:action>/", views.finding_act, name="finding_act"),
]
