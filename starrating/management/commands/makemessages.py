"""makemessages that also collects the rules engine's `N_("…")` markers.

The engine (scoring/rules) may not import Django, so it marks its trace and error
texts with a no-op `N_`; the web app and the `rate` command translate them.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
    # A guessed ("fuzzy") translation is not compiled and hides a missing one: none.
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
