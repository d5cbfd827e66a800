"""Management commands and `manage.py shell` speak the terminal's language (LANGUAGE, LC_ALL,
LC_MESSAGES, LANG, as gettext reads them), not the site's default for web visitors (Korean)."""

from __future__ import annotations

import sys

import pytest
from django.db import connections
from django.utils import translation

import manage
from accounts.models import User


@pytest.fixture
def fresh_process_language():
    # A new process has no active language (gettext then falls back to LANGUAGE_CODE = "ko");
    # tests before this one may have left one active in this thread.
    previous = translation.get_language()
    translation.deactivate()
    yield
    translation.activate(previous)


def _createsuperuser(monkeypatch, capsys, env: dict[str, str]) -> str:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    argv = ["manage.py", "createsuperuser", "--noinput", "--username", "root", "--email", "a@b.c"]
    monkeypatch.setattr(sys, "argv", argv)
    # A command closes every database connection when it ends (run_from_argv): on PostgreSQL
    # that would be the test's own connection, which the assertions below still need.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        manage.main()
    assert exited.value.code == 1
    return capsys.readouterr().err


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_process_language")
@pytest.mark.parametrize(
    "env",
    [{"LANG": "en_US.UTF-8"}, {"LANG": "C.UTF-8"}, {}, {"LC_ALL": "fr_FR.UTF-8"}],
    ids=["en_US", "C", "unset", "unoffered-language"],
)
def test_createsuperuser_explains_a_bad_email_in_an_english_shells_language(
    monkeypatch, capsys, env
):
    err = _createsuperuser(monkeypatch, capsys, env)

    assert "Enter a valid email address." in err
    assert "이메일" not in err
    assert not User.objects.filter(username="root").exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_process_language")
@pytest.mark.parametrize(
    "env",
    [{"LANG": "ko_KR.UTF-8"}, {"LANGUAGE": "ko:en", "LANG": "en_US.UTF-8"}],
    ids=["ko_KR", "LANGUAGE-list-first"],
)
def test_createsuperuser_speaks_korean_in_a_korean_shell(monkeypatch, capsys, env):
    err = _createsuperuser(monkeypatch, capsys, env)

    assert "올바른 이메일 주소를 입력하세요." in err
