"""The audit log's admin pages, kept to the masking rule (members.masking).

Entries written before a field was left out of the log (a member's birth
date, until the mask was made safe) still hold it. These pages show an
entry's changes without any field its model's registration now excludes,
and do not search the changes' text (a search by a date would tell whose
entries hold it, each with the member's masked number beside it)."""

import copy

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib import admin


def without_excluded(entry: LogEntry) -> LogEntry:
    """A copy of `entry` whose changes leave out its model's excluded fields."""
    model = entry.content_type.model_class()
    if model is None or not auditlog.contains(model):
        return entry
    excluded = set(auditlog.get_model_fields(model)["exclude_fields"])
    changes = entry.changes_dict
    if not excluded & set(changes):
        return entry
    shown = copy.copy(entry)
    shown.changes = {field: values for field, values in changes.items() if field not in excluded}
    shown.changes_text = ""
    return shown


class MaskedLogEntryAdmin(LogEntryAdmin):
    search_fields = [field for field in LogEntryAdmin.search_fields if field != "changes"]

    def msg_short(self, obj):
        return super().msg_short(without_excluded(obj))

    msg_short.short_description = LogEntryAdmin.msg_short.short_description

    def msg(self, obj):
        return super().msg(without_excluded(obj))

    msg.short_description = LogEntryAdmin.msg.short_description


if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)
admin.site.register(LogEntry, MaskedLogEntryAdmin)
