from django.contrib import admin
from django.urls import path

from .reminders import reminders_view

urlpatterns = [path("", admin.site.admin_view(reminders_view), name="reminders")]
