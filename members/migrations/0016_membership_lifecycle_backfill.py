"""Give the memberships that exist their end reason and their history.

An ended membership gets `transferred` when a transfer within the street
closed it, `transferred_out` when it went to a union outside the street,
otherwise `other` (nothing recorded says why). Every membership gets the
event that opened it (joined, transferred in from outside, or transferred
within the street) and every ended one, unless a transfer within the street
replaced it, the event that ended it. Three statements, whatever the size
(set-based SQL that SQLite and PostgreSQL both read)."""

from django.db import migrations

END_REASONS = """
UPDATE members_membership SET end_reason = CASE
    WHEN EXISTS (SELECT 1 FROM members_transfer t
                 WHERE t.from_membership_id = members_membership.id
                   AND t.to_membership_id IS NOT NULL) THEN 'transferred'
    WHEN EXISTS (SELECT 1 FROM members_transfer t
                 WHERE t.from_membership_id = members_membership.id
                   AND t.external_party <> '') THEN 'transferred_out'
    ELSE 'other' END
WHERE left_on IS NOT NULL AND end_reason = ''
"""

OPENED = """
INSERT INTO members_membershipevent
    (member_id, membership_id, kind, "on", reason, note, recorded_by_id, recorded_at)
SELECT m.member_id, m.id,
    CASE
        WHEN EXISTS (SELECT 1 FROM members_transfer t
                     WHERE t.to_membership_id = m.id
                       AND t.from_membership_id IS NOT NULL) THEN 'transferred'
        WHEN EXISTS (SELECT 1 FROM members_transfer t
                     WHERE t.to_membership_id = m.id) THEN 'transferred_in'
        ELSE 'joined' END,
    m.joined_on, '', '', NULL, CURRENT_TIMESTAMP
FROM members_membership m
"""

ENDED = """
INSERT INTO members_membershipevent
    (member_id, membership_id, kind, "on", reason, note, recorded_by_id, recorded_at)
SELECT m.member_id, m.id,
    CASE WHEN m.end_reason = 'transferred_out' THEN 'transferred_out' ELSE 'ended' END,
    m.left_on, m.end_reason, '', NULL, CURRENT_TIMESTAMP
FROM members_membership m
WHERE m.left_on IS NOT NULL AND m.end_reason <> 'transferred'
"""


def backfill(apps, schema_editor):
    for sql in (END_REASONS, OPENED, ENDED):
        schema_editor.execute(sql)


def undo(apps, schema_editor):
    schema_editor.execute("DELETE FROM members_membershipevent")
    schema_editor.execute("UPDATE members_membership SET end_reason = ''")


class Migration(migrations.Migration):
    dependencies = [("members", "0015_membership_lifecycle")]

    operations = [migrations.RunPython(backfill, undo, elidable=True)]
