"""Read-only API: the rate snapshots (current revisions by default) and the
zombie flags, each through the `for_user` scoping."""

from rest_framework import serializers, viewsets

from .models import RateSnapshot, ZombieFlag
from .rates import STREET
from .zombies import reason_text


class RateSnapshotSerializer(serializers.ModelSerializer):
    scope = serializers.SerializerMethodField()

    class Meta:
        model = RateSnapshot
        fields = [
            "id",
            "quarter",
            "scope",
            "community",
            "revision",
            "is_current",
            "frozen",
            "declared",
            "obligated",
            "zero_declared",
            "rate",
            "computed_at",
        ]

    def get_scope(self, obj) -> str:
        return obj.community.name if obj.community_id else STREET


class RateSnapshotViewSet(viewsets.ReadOnlyModelViewSet):
    """?quarter=2017Q3 for one quarter; ?revisions=all for every revision."""

    serializer_class = RateSnapshotSerializer

    def get_queryset(self):
        qs = (
            RateSnapshot.objects.for_user(self.request.user)
            .select_related("community")
            .defer("declared_ids", "obligated_ids", "zero_ids", "changes")
            .order_by("quarter", "scope_key", "revision")
        )
        if self.request.query_params.get("revisions") != "all":
            qs = qs.current()
        if self.request.query_params.get("quarter"):
            qs = qs.filter(quarter=self.request.query_params["quarter"].strip().upper())
        return qs


class ZombieFlagSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name")
    credit_code = serializers.CharField(source="enterprise.credit_code")
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = ZombieFlag
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "credit_code",
            "quarter",
            "flagged_on",
            "score",
            "reasons",
            "resolution",
            "resolved_on",
        ]

    def get_reasons(self, obj) -> list[dict]:
        return [{**r, "text": reason_text(r)} for r in obj.reasons]


class ZombieFlagViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ZombieFlagSerializer

    def get_queryset(self):
        return (
            ZombieFlag.objects.for_user(self.request.user)
            .select_related("enterprise")
            .order_by("resolution", "-score", "pk")
        )
