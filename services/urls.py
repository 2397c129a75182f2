from django.urls import path

from . import views

app_name = "services_portal"

urlpatterns = [
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("findings/<int:pk>/close/", views.finding_close, name="finding_close"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/rate/", views.request_rate, name="request_rate"),
    path(
        "requests/<int:pk>/accept/", views.request_step, {"step": "accept"}, name="request_accept"
    ),
    path(
        "requests/<int:pk>/fulfil/", views.request_step, {"step": "fulfil"}, name="request_fulfil"
    ),
    path("aid/", views.aid_apply, name="aid_apply"),
    path("handouts/", views.handout_list, name="handout_list"),
    path("handouts/<int:pk>/", views.handout_batch, name="handout_batch"),
    path("handouts/<int:pk>/give/", views.handout_give, name="handout_give"),
    path("events/", views.event_list, name="event_list"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/attend/", views.event_attend, name="event_attend"),
]
