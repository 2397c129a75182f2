"""Turning roster rows into clean values, or into faults a chair understands."""

from .rows import EnterpriseIndex, RosterRow, RowChecker, _plainly_valid

__all__ = ["EnterpriseIndex", "RosterRow", "RowChecker", "_plainly_valid"]
