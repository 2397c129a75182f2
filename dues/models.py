"""Union funds: declarations, quarter rates and snapshots, zombie flags."""
