from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("community/<int:community_id>/", views.community, name="community"),
    path(
        "community/<int:community_id>/<str:which>/",
        views.enterprises,
        name="enterprises",
    ),
    path(
        "community/<int:community_id>/<str:which>.xlsx",
        views.enterprises,
        {"fmt": "xlsx"},
        name="enterprises_xlsx",
    ),
]
