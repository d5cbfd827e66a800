"""`manage.py` speaks the terminal's language. LANGUAGE_CODE ("ko") is the default for web
visitors whose browser asks for neither Korean nor English; a person at a shell has said what
they read through the locale variables, so commands, their errors (createsuperuser's "Enter a
valid email address.") and `manage.py shell` follow those instead."""

from __future__ import annotations

import os
from collections.abc import Mapping

from django.apps import apps
from django.conf import settings
from django.core.management import ManagementUtility
from django.utils import translation

# The order in which gettext (and Python's gettext module) reads them; LANGUAGE is a list.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
# Our msgids are English: an unset, C/POSIX or unoffered locale reads them untranslated.
UNTRANSLATED = "en"


def shell_language(environ: Mapping[str, str]) -> str:
    """The offered language (settings.LANGUAGES) that the terminal's locale asks for."""
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "")
        if not value:
            continue
        # Like gettext, the first variable that is set decides; "ko_KR.UTF-8" -> "ko-kr".
        for entry in value.split(":"):
            code = entry.split(".")[0].split("@")[0].replace("_", "-").lower()
            if not code or code in ("c", "posix"):
                continue
            try:
                return translation.get_supported_language_variant(code)
            except LookupError:
                continue
        return UNTRANSLATED
    return UNTRANSLATED


class ShellLanguageUtility(ManagementUtility):
    """Django's command runner, with the shell's language active once the apps are loaded
    (translations cannot load earlier, and `--settings` must be read first)."""

    def fetch_command(self, subcommand: str):
        command = super().fetch_command(subcommand)
        if settings.configured and apps.ready and settings.USE_I18N:
            translation.activate(shell_language(os.environ))
        return command


def execute_from_command_line(argv: list[str]) -> None:
    ShellLanguageUtility(argv).execute()
