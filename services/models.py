"""Visits, aid, welfare, events and the service menu (see the services issue)."""
