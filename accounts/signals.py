"""Signals other apps listen to. `accounts` is at the bottom of the house: it announces, the
apps above it decide what follows (the LLM layer rewrites the persona in the new language,
the recommendations app re-explains the current list)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `user` (saved with its new `language`) and `previous` (the language it had).
language_changed = Signal()
