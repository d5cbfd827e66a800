"""A signed-in user's pages are in the language of their profile, even when the browser has
no language cookie yet (a new device, cleared cookies, a session that outlived the cookie):
the profile wins over Accept-Language, and the cookie is set again. Choosing a language in the
header form or the profile still sets the cookie, which then decides."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


class ProfileLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = None
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and request.user.is_authenticated:
            language = request.user.language
            if language in dict(settings.LANGUAGES):
                translation.activate(language)
                request.LANGUAGE_CODE = language
            else:
                language = None
        response = self.get_response(request)
        # A view that chose the language itself (the profile form, logout) has set the cookie.
        if language is not None and settings.LANGUAGE_COOKIE_NAME not in response.cookies:
            from .views import language_apply

            language_apply(response, language)
        return response
