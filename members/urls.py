from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("members/", views.member_list, name="member_list"),
]
