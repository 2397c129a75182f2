from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Staff's page for the quarter's declaration reminders (issue 19), in the admin's look.
    path("admin/reminders/", include("dues.reminder_urls")),
    path("admin/", admin.site.urls),
    # Online join applications: the public form and look-up, and the chair's pages.
    path("join/", include("joining.urls")),
    path("portal/joining/", include("joining.portal_urls")),
    path("portal/notices/", include("notices.urls")),
    path("portal/services/", include("services.urls")),
    path("portal/figures/", include("dues.urls")),
    path("portal/", include("members.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("surveys/", include("surveys.urls")),
    path("s/", include("surveys.public_urls")),
    path("api/v1/", include("chunshu_union.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from static/, its start-up script a file of its own (?script):
    # nothing inline for the Content-Security-Policy to refuse.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
]
