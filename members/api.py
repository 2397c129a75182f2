from rest_framework import serializers, viewsets

from .models import Member


class MemberSerializer(serializers.ModelSerializer):
    """Identifiers are always masked through the API."""

    id_number = serializers.CharField(source="id_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "id_number",
            "sex",
            "birth_date",
            "phone",
            "jingcard_status",
            "app_registered_on",
            "verified_at",
        ]


class MemberViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MemberSerializer

    def get_queryset(self):
        return Member.objects.for_user(self.request.user).order_by("pk")
