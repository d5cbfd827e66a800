"""LLM backends behind one interface: `get_backend("transformers"|"openai"|"grounded", **opts)`."""

from __future__ import annotations

from llm_worker.backends.base import (
    Generation,
    LLMBackend,
    LLMTimeout,
    LLMUnavailable,
    Message,
    simple_token_count,
)

__all__ = [
    "BACKEND_NAMES",
    "Generation",
    "LLMBackend",
    "LLMTimeout",
    "LLMUnavailable",
    "Message",
    "get_backend",
    "simple_token_count",
]

BACKEND_NAMES = ("grounded", "transformers", "openai")


def get_backend(name: str, **options) -> LLMBackend:
    """Build a backend by name. Options are the backend's keyword arguments, e.g.
    transformers: model, quantization, device, max_new_tokens;
    openai: base_url, model, api_key, timeout_s, connect_timeout_s, retries, flavour.
    Imports are lazy so the grounded default never imports torch."""
    if name == "grounded":
        from llm_worker.backends.grounded import GroundedBackend

        return GroundedBackend(**options)
    if name == "transformers":
        from llm_worker.backends.transformers_backend import TransformersBackend

        return TransformersBackend(**options)
    if name == "openai":
        from llm_worker.backends.openai_backend import OpenAIBackend

        return OpenAIBackend(**options)
    raise ValueError(f"unknown LLM backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}")
