from django.urls import path

from . import views

app_name = "services_portal"

urlpatterns = [
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("findings/<int:pk>/close/", views.finding_close, name="finding_close"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/rate/", views.request_rate, name="request_rate"),
    path("aid/", views.aid_apply, name="aid_apply"),
]
