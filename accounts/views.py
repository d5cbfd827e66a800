"""Signup, login, logout and the profile page. The user's language (from their profile) is
put in the language cookie on login, signup and profile save, so LocaleMiddleware shows the
next pages in it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import backends
from .forms import LoginForm, ProfileForm, SignupForm
from .services import language_changed_announce, user_language_set


def language_apply(response: HttpResponse, language: str) -> HttpResponse:
    """Switch this response and the following requests to `language`."""
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("recommendations:home")
    form = SignupForm(request.POST or None, initial={"language": translation.get_language()})
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend=backends.PATH)
        translation.activate(user.language)
        messages.success(request, _("Welcome! Pick a few movies you have watched."))
        return language_apply(redirect("movies:picks"), user.language)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        return language_apply(response, form.get_user().language)


class LogoutView(auth_views.LogoutView):
    pass


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        users = get_user_model().objects
        previous = users.values_list("language", flat=True).get(pk=request.user.pk)
        user = form.save()
        if user.language != previous:
            language_changed_announce(user=user, previous=previous)
        translation.activate(user.language)
        messages.success(request, _("Your profile is saved."))
        return language_apply(redirect("accounts:profile"), user.language)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/profile.html", {"form": form}, status=status)


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The header's language switch. For a signed-in user it is the profile language: what the
    site writes for them (persona, reasons, chat replies) follows it, not only the interface."""
    chosen = request.POST.get("language", "")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if chosen not in dict(settings.LANGUAGES):
        return redirect(target)
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=chosen)
    return language_apply(redirect(target), chosen)
