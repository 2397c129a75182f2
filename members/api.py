from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from chunshu_union.api_permissions import SeesPersonalData

from . import masking
from .models import Member


class MemberSerializer(serializers.ModelSerializer):
    """Identifiers are always masked through the API, and the birth is given
    as its year only (members.masking: a date would undo the mask)."""

    id_number = serializers.CharField(source="id_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    birth_year = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "id_number",
            "sex",
            "birth_year",
            "phone",
            "jingcard_status",
            "app_registered_on",
            "verified_at",
        ]

    def get_birth_year(self, obj) -> int | None:
        return masking.birth_year(obj)


class MemberViewSet(viewsets.ReadOnlyModelViewSet):
    """Member records: street staff and chairs, each through `for_user`.
    Leaders get figures only, so this resource refuses them (403)."""

    serializer_class = MemberSerializer
    permission_classes = [IsAuthenticated, SeesPersonalData]

    def get_queryset(self):
        return Member.objects.for_user(self.request.user).order_by("pk")
