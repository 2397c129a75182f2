from rest_framework.routers import DefaultRouter

from enterprises.api import CommunityViewSet, EnterpriseViewSet
from members.api import MemberViewSet

router = DefaultRouter()
router.register("communities", CommunityViewSet, basename="community")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("members", MemberViewSet, basename="member")

urlpatterns = router.urls
