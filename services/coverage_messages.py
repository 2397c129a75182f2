"""The Chinese for members/coverage.py and members/admin_coverage.py.

Those two modules belong to this issue but live in the members app, whose
catalogue another engineer owns; Django merges every app's catalogue, so
their msgids are listed here (never called) to be translated in
services/locale. Keep the list in step with those modules."""

from django.utils.translation import gettext_noop

MESSAGES = (
    gettext_noop("You may only change members of your own community."),
    gettext_noop("The date is in the future."),
    gettext_noop("The Jing card cannot go from “%(from)s” to “%(to)s”."),
    gettext_noop("The premium cannot be negative."),
    gettext_noop("An enrolment for %(year)d cannot be dated %(day)s."),
    gettext_noop("%(name)s has no open membership in the street."),
    gettext_noop("%(name)s is already enrolled for %(year)d."),
    gettext_noop("%(day)s is outside the campaign “%(name)s”."),
    gettext_noop("%(name)s was already verified in this campaign."),
    gettext_noop("verified"),
)
