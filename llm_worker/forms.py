"""Forms for the free text a user writes to the LLM layer (a persona correction; the taste chat
of the recommendations app uses the same field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from .services import CORRECTION_MAX


def free_text_field(label, *, max_length: int, rows: int) -> forms.CharField:
    """A bounded free-text field whose errors read like the service's own checks."""
    # The service checks the same limit; the form says it next to the field first.
    return forms.CharField(
        label=label,
        max_length=max_length,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": gettext_lazy("Write a few words first."),
            "max_length": gettext_lazy(
                "Please keep it under %(limit_value)d characters (you wrote %(show_value)d)."
            ),
        },
    )


class CorrectionForm(forms.Form):
    text = free_text_field(
        gettext_lazy("Is something off? Correct it in your own words"),
        max_length=CORRECTION_MAX,
        rows=3,
    )
