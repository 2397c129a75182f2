from django.urls import path

from . import views

app_name = "figures_portal"

urlpatterns = [
    path("", views.figures, name="figures"),
    path("enterprises/<slug:which>/", views.enterprises, name="enterprises"),
    path("zombies/", views.zombies, name="zombies"),
]
