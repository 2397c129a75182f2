from rest_framework.routers import DefaultRouter

from dues.api import RateSnapshotViewSet, ZombieFlagViewSet
from enterprises.api import CommunityViewSet, EnterpriseViewSet
from members.api import MemberViewSet

router = DefaultRouter()
router.register("communities", CommunityViewSet, basename="community")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("members", MemberViewSet, basename="member")
router.register("rate-snapshots", RateSnapshotViewSet, basename="rate-snapshot")
router.register("zombie-flags", ZombieFlagViewSet, basename="zombie-flag")

urlpatterns = router.urls
