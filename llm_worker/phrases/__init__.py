"""What the grounded engine writes for the user, one module per language (no Django imports).

Each language module (`en`, `ko`) holds the same names: str.format templates, tuples of
alternative sentence frames (rotated so that two cards in a row never read alike), and small
tables (language, country and mood names). Korean templates choose their particles with a
format spec ("{title:을/를}", see `llm_worker.korean`), so no text ever holds "을(를)".

Why here and not elsewhere:
- gettext needs Django's translation machinery, and the grounded engine is a plain module that a
  benchmark or a notebook runs without settings; the site's own interface text stays in gettext.
- The prompt modules (`llm_worker.prompts.en`/`ko`) are what the model reads. Their fixed
  wording is collected as text an answer must not copy (`prompts.template_text`), and changing
  it bumps a prompt version. Sentences we show to the user are neither, so they live apart.
Genre names come from the catalogue's table (`movies.describe.genre_name`), the same one the
descriptions use.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType

from llm_worker.korean import ko_format
from llm_worker.phrases import en, ko
from movies.describe import genre_name

__all__ = ["genre_name", "join", "phrases", "say", "titles"]

_BY_LANGUAGE = {"en": en, "ko": ko}


def phrases(language: str) -> ModuleType:
    """The phrase module of `language` (English for any language we do not write)."""
    return _BY_LANGUAGE.get(language, en)


def say(template: str, /, **slots) -> str:
    """Fill a phrase template; a "/" format spec attaches a Korean particle."""
    return ko_format(template, **slots)


def join(items: Sequence[str], language: str) -> str:
    """ "a", "a and b", "a, b and c" (Korean: "a, b, c")."""
    p = phrases(language)
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return p.LIST_SEP.join(items[:-1]) + p.LIST_AND + items[-1]


def titles(names: Sequence[str], language: str, *, total: int | None = None) -> str:
    """Titles written as the language quotes them, joined; with `total` larger than the names
    given, "and N more" says how many were left out, so a list always adds up."""
    p = phrases(language)
    quoted = [say(p.TITLE, title=name) for name in names]
    listed = join(quoted, language)
    more = (total or 0) - len(names)
    return say(p.MORE, listed=", ".join(quoted), n=more) if more > 0 else listed
