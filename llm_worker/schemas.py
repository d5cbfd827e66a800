"""The JSON schemas of the answers (no Django imports), narrowed per call: labels only from this
user's candidates or movies, lists and texts bounded. Servers that support constrained JSON and
the in-process constrained decoder (`llm_worker.constrained`) receive them, so the shape is
decided before the parser (`llm_worker.parsing`) sees the answer; the *_TEXT forms are shown in
repair prompts.
"""

from __future__ import annotations

from collections.abc import Sequence

# Lengths in characters; Korean text costs several tokens per syllable in most vocabularies.
_LIMITS = {
    "en": {"summary": 300, "trait": 60, "reason": 160, "reply": 300},
    "ko": {"summary": 100, "trait": 24, "reason": 60, "reply": 120},
}


def _text(language: str, what: str, *, min_length: int = 3) -> dict:
    limit = _LIMITS.get(language, _LIMITS["en"])[what]
    return {"type": "string", "minLength": min_length, "maxLength": limit}


def _labels_array(labels: Sequence[str], *, low: int, high: int) -> dict:
    return {
        "type": "array",
        "items": {"type": "string", "enum": list(labels)},
        "minItems": low,
        "maxItems": high,
        "uniqueItems": True,
    }


def persona_schema(labels: Sequence[str], *, language: str) -> dict:
    """PERSONA_SCHEMA narrowed for one user: reasons cite only their own movie labels, lists
    and texts have bounds. Servers with constrained JSON and the in-process constrained decoder
    both receive it, so the shape is decided before the parser sees the answer."""
    return {
        "type": "object",
        "properties": {
            "summary": _text(language, "summary", min_length=20),
            "liked": {
                "type": "array",
                "items": _text(language, "trait"),
                "minItems": 1,
                "maxItems": 4,
            },
            "disliked": {
                "type": "array",
                "items": _text(language, "trait"),
                "minItems": 0,
                "maxItems": 3,
            },
            "reasons": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "text": _text(language, "reason", min_length=10),
                        "movies": _labels_array(labels, low=1, high=min(3, len(labels))),
                    },
                    "required": ["text", "movies"],
                },
                "minItems": 1,
                "maxItems": 3,
            },
        },
        "required": ["summary", "liked", "disliked", "reasons"],
    }


def rerank_schema(labels: Sequence[str], *, k: int, language: str, variant: str) -> dict:
    """The re-rank schema for these candidates: labels from the list only, each once, exactly
    k in "final" ("original" also scores every candidate, then lists and checks the top k)."""
    k = min(k, len(labels))
    entry = {
        "type": "object",
        "properties": {
            "label": {"type": "string", "enum": list(labels)},
            "fit": {"type": "integer", "minimum": 1, "maximum": 10},
            "reason": _text(language, "reason", min_length=10),
        },
        "required": ["label", "fit", "reason"],
    }

    def entries(n: int) -> dict:
        return {"type": "array", "items": entry, "minItems": n, "maxItems": n, "uniqueItems": True}

    if variant != "original":
        return {"type": "object", "properties": {"final": entries(k)}, "required": ["final"]}
    return {
        "type": "object",
        "properties": {
            "scores": entries(len(labels)),
            "top": _labels_array(labels, low=k, high=k),
            "check": _text(language, "reason", min_length=0),
            "final": entries(k),
        },
        "required": ["scores", "top", "check", "final"],
    }


def chat_schema(*, language: str) -> dict:
    return {
        "type": "object",
        "properties": {
            "reply": _text(language, "reply", min_length=2),
            "request": _text(language, "reason", min_length=0),
        },
        "required": ["reply", "request"],
    }


PERSONA_SCHEMA_TEXT = (
    '{"summary": str, "liked": [str], "disliked": [str], '
    '"reasons": [{"text": str, "movies": ["W01", ...]}]}'
)
RERANK_SCHEMA_TEXT = '{"final": [{"label": "C01", "fit": 1-10, "reason": str}]}'
