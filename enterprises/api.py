from rest_framework import serializers, viewsets

from chunshu_union import access

from .models import Community, Enterprise


class CommunitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = ["id", "name", "code"]


class EnterpriseSerializer(serializers.ModelSerializer):
    community = serializers.StringRelatedField()
    building = serializers.StringRelatedField()

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "credit_code",
            "community",
            "building",
            "headcount",
            "ownership",
            "union_founded_on",
            "union_chair",
            "status",
        ]

    def get_fields(self):
        """The union chair is a person: leaders, who see figures only, do not
        get the name (chunshu_union.access.can_see_personal_data)."""
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None or not access.can_see_personal_data(request.user):
            fields.pop("union_chair")
        return fields


class CommunityViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CommunitySerializer

    def get_queryset(self):
        return Community.objects.for_user(self.request.user).order_by("position")


class EnterpriseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EnterpriseSerializer

    def get_queryset(self):
        return (
            Enterprise.objects.for_user(self.request.user)
            .select_related("community", "building")
            .order_by("pk")
        )
