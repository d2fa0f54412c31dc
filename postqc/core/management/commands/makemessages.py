"""makemessages that also finds the project's short aliases for the lazy and no-op gettext.

Modules that need both the eager and the lazy form import them as
``gettext as _, gettext_lazy as _l`` (or ``_lazy``), and the shipped questionnaire marks its
texts with ``gettext_noop as N_``; xgettext knows none of these names unless told.
"""
from django.core.management.commands.makemessages import Command as MakeMessagesCommand


class Command(MakeMessagesCommand):
    xgettext_options = [*MakeMessagesCommand.xgettext_options, "--keyword=_l", "--keyword=_lazy", "--keyword=N_"]
