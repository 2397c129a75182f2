"""The API's one router. The viewsets are named by dotted path, as the root
URLconf names each app's `urls` and the settings name the apps: the ground
floor imports no app (tests/test_architecture.py)."""

from django.utils.module_loading import import_string
from rest_framework.routers import DefaultRouter

#: (prefix, viewset, basename), in the order the API root lists them.
RESOURCES = [
    ("communities", "enterprises.api.CommunityViewSet", "community"),
    ("enterprises", "enterprises.api.EnterpriseViewSet", "enterprise"),
    ("members", "members.api.MemberViewSet", "member"),
    ("rate-snapshots", "dues.api.RateSnapshotViewSet", "rate-snapshot"),
    ("zombie-flags", "dues.api.ZombieFlagViewSet", "zombie-flag"),
]

router = DefaultRouter()
for prefix, viewset, basename in RESOURCES:
    router.register(prefix, import_string(viewset), basename=basename)

urlpatterns = router.urls
