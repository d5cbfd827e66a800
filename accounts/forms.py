"""Signup, login and profile forms. Every message a user can trigger is translated (ko/en)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import Gender, Language, Occupation, User

AGE_MESSAGES = {
    "required": _("Please enter your age."),
    "invalid": _("Enter your age as a whole number, for example 29."),
    "min_value": _("Age must be between 1 and 120."),
    "max_value": _("Age must be between 1 and 120."),
}


def _age_field() -> forms.IntegerField:
    # min/max on the form (not only the model) so "0" and "200" get our message, not two.
    return forms.IntegerField(
        label=_("Age"),
        min_value=1,
        max_value=120,
        error_messages=AGE_MESSAGES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 120}),
    )


class _ProfileFieldsMixin(forms.Form):
    age = _age_field()
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", _("Choose…")), *Gender.choices],
        error_messages={"required": _("Please choose a gender (or “Prefer not to say”).")},
    )
    occupation = forms.ChoiceField(
        label=_("Occupation (optional)"),
        choices=[("", _("—")), *Occupation.choices],
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=Language.choices, initial=Language.KOREAN
    )


class SignupForm(_ProfileFieldsMixin, UserCreationForm):
    class Meta:
        model = User
        fields = ("username", "age", "gender", "occupation", "language")
        labels = {"username": _("User id")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = _("Letters, digits and @ . + - _ only.")
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)

    def clean_username(self):
        # Not super(): Django's version reports a taken name with its own wording ("username")
        # and returns None, which is easy to trip over; one message here, in our words.
        username = self.cleaned_data.get("username")
        if not username:
            return username
        # Dataset users are named "<dataset>:<id>"; a site user must never take such a name.
        if ":" in username:
            raise forms.ValidationError(_("A user id cannot contain “:”."), code="invalid")
        # iexact: "MinJi" and "minji" would be two accounts that people cannot tell apart.
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                _("This user id is already taken. Please choose another."), code="unique"
            )
        return username


class ProfileForm(_ProfileFieldsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ("age", "gender", "occupation", "language")


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User id")
