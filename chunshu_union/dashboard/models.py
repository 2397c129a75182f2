"""Quarterly figures for leadership (see the dashboard issue)."""
