"""The LLM backend the site uses, built from settings once per process. Every `LLM_*` default is
written once, in `llecommend_site/settings.py`; this module reads settings and never supplies a
default of its own (an unknown value falls back to the documented choice).

A worker on the `llm` queue keeps one model resident: the first task loads it, later tasks reuse
it. The cache is keyed by the settings that shape the backend, so a settings override (tests,
`recommend_for --backend`) gets its own instance instead of a stale one.

A backend that cannot be built (weights missing, bad quantisation option) does not take the site
down: `llm_backend()` returns the grounded backend and says why in `BackendChoice.degraded_reason`;
the failure is remembered for RETRY_FAILED_S so each task does not retry a multi-minute load.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from llm_worker.backends import BACKEND_NAMES, LLMBackend, get_backend
from llm_worker.contracts import Degraded, degraded

logger = logging.getLogger(__name__)

RETRY_FAILED_S = 300.0
VARIANTS = ("original", "optimized")
METHODS = ("generate", "verbalizer")


@dataclass(frozen=True)
class BackendChoice:
    backend: LLMBackend
    degraded_reason: str = ""  # set when the configured backend could not be built


_cache: dict[tuple, BackendChoice] = {}
_failed_at: dict[tuple, float] = {}
_lock = threading.Lock()


def _options(name: str) -> dict:
    if name == "transformers":
        return {
            "model": settings.LLM_MODEL,
            "quantization": settings.LLM_QUANTIZATION,
            "max_new_tokens": settings.LLM_MAX_NEW_TOKENS,
            "constrained": settings.LLM_CONSTRAINED_DECODING,
        }
    if name == "openai":
        return {
            "base_url": settings.LLM_BASE_URL,
            "model": settings.LLM_MODEL,
            "api_key": settings.LLM_API_KEY,
            "timeout_s": settings.LLM_TIMEOUT_S,
            "max_new_tokens": settings.LLM_MAX_NEW_TOKENS,
        }
    return {}


def llm_backend(name: str | None = None) -> BackendChoice:
    """The backend named by `name` (default: settings.LLM_BACKEND), built once per process."""
    name = (name or settings.LLM_BACKEND or "grounded").strip().lower()
    if name not in BACKEND_NAMES:
        raise ValueError(f"unknown LLM backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}")
    options = _options(name)
    key = (name, tuple(sorted(options.items())))
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            if not cached.degraded_reason:
                return cached
            if time.monotonic() - _failed_at.get(key, 0.0) < RETRY_FAILED_S:
                return cached
        try:
            choice = BackendChoice(get_backend(name, **options))
            logger.info("LLM backend %s ready (model %s)", name, options.get("model", "-"))
        except Exception as exc:  # a load error must degrade the site, not break it
            logger.exception("LLM backend %s could not be built; using grounded", name)
            choice = BackendChoice(
                get_backend("grounded"),
                degraded_reason=degraded(
                    Degraded.BACKEND_UNAVAILABLE,
                    f"LLM backend {name} unavailable: {type(exc).__name__}: {exc}",
                )[:250],
            )
            _failed_at[key] = time.monotonic()
        _cache[key] = choice
        return choice


def llm_backend_forget() -> None:
    """Drop the cached backends (tests; a worker that must reload its model)."""
    with _lock:
        _cache.clear()
        _failed_at.clear()


def prompt_variant() -> str:
    variant = settings.LLM_PROMPT_VARIANT
    return variant if variant in VARIANTS else "optimized"


def rerank_method() -> str:
    """ "generate" (the model writes the ranked JSON) or "verbalizer" (one forward pass over the
    label logits, reasons for the top k only; needs a backend with logits)."""
    method = settings.LLM_RERANK_METHOD
    return method if method in METHODS else "generate"


def verbalizer_reasons() -> str:
    """After a one-pass verbalizer ranking: "llm" (short reasons generated for the top k) or
    "grounded" (no generation at all: the fastest list, reasons from the catalogue)."""
    value = settings.LLM_VERBALIZER_REASONS
    return value if value in ("llm", "grounded") else "llm"


def chat_budget_tokens() -> int:
    """Tokens of chat history (rolling summary + recent turns) a prompt may carry."""
    return int(settings.LLM_CHAT_BUDGET_TOKENS)


def task_time_limits() -> tuple[int, int]:
    """(soft, hard) seconds for one LLM task: a chat reply, a re-rank and a repair attempt on a
    slow GPU fit in the soft limit; past it the task answers with the grounded engine."""
    soft = int(settings.LLM_TASK_SOFT_TIME_LIMIT)
    hard = int(settings.LLM_TASK_TIME_LIMIT)
    return soft, max(hard, soft + 10)
