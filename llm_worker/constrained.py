"""Schema-constrained greedy decoding for in-process models (no Django imports).

Small instruct models write the JSON we ask for only some of the time (SmolLM2-135M: 74% of
personas were schema-valid, and re-rankings copied the example). Here the schema drives
decoding instead: the structure (braces, keys, commas) is written by us, and the model only
chooses where there is a choice:

- a free string: any token whose text cannot break the JSON string (no quote, backslash or
  control character), until the model prefers a closing quote, within `minLength..maxLength`
  characters;
- an enum (a candidate label) or a bounded integer (a fit score): only the tokens that spell one
  of the allowed values; with `uniqueItems` an array never repeats a string-enum value, nor,
  when its items are objects, the value of an item's string-enum field (the label; two
  candidates may share a fit score);
- an array: another item or the end, within `minItems..maxItems`.

So the answer is always one JSON object of the schema's shape, and a label can only be one of
the labels in the schema. What the model writes inside strings is still its own: the parser keeps
checking it (copied text, language, loops). Three guards work inside strings: a token is not
taken when it would make the string end in a copy of `avoid` (the prompts' fixed wording:
COPY_RUN letters), end in a repeat of the answer so far (REPEAT_RUN letters), or turn the
string into one the parser refuses as going round in circles (`parsing.repetitive`: a run of
four words said a third time, too few different words); the model's next best token is taken
instead. That stops the echo and the loops small models fall into, long and short.

The token budget is kept softly: past it, strings end and optional items stop, and the answer
still closes, so it can exceed the budget only by its closing structure.

Supported schema subset: object (`properties`, `required` gives the order; without `required`
every property in order), string (`enum`, `minLength`, `maxLength`), integer (`minimum`,
`maximum`, or `enum`), array (`items`, `minItems`, `maxItems`, `uniqueItems`). Anything else
raises `ValueError`.
"""

from __future__ import annotations

import json
import math
import time
import unicodedata
from dataclasses import dataclass

from .parsing import repetitive

DEFAULT_MAX_LENGTH = 300
DEFAULT_MAX_ITEMS = 8
# Copy guards, in letters and digits (case-folded, everything else ignored, as the parser's
# `copied_from` compares): a string may not take a token that makes its last COPY_RUN characters
# a piece of the avoided text, nor its last REPEAT_RUN characters a piece of what it wrote before.
COPY_RUN = 12
REPEAT_RUN = 20
_TRIES = 32  # best tokens tried against the guards before the string is closed instead
_CLOSING_RESERVE = 16  # tokens kept for closing the JSON when the budget runs out


# --- the schema, compiled -----------------------------------------------------------------
@dataclass(frozen=True)
class StringSpec:
    min_length: int = 0
    max_length: int = DEFAULT_MAX_LENGTH


@dataclass(frozen=True)
class ChoiceSpec:
    """One of fixed values: a string enum (written in quotes) or a bounded integer."""

    values: tuple[str, ...]
    quoted: bool = True


@dataclass(frozen=True)
class ArraySpec:
    items: object
    min_items: int = 0
    max_items: int = DEFAULT_MAX_ITEMS
    unique: bool = False


@dataclass(frozen=True)
class ObjectSpec:
    fields: tuple[tuple[str, object], ...]


def compile_schema(schema: dict):
    """The decoding plan for a JSON schema of the supported subset (see the module doc)."""
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties") or {}
        order = schema.get("required") or list(props)
        missing = [key for key in order if key not in props]
        if missing:
            raise ValueError(f"required keys without a schema: {missing}")
        return ObjectSpec(tuple((key, compile_schema(props[key])) for key in order))
    if kind == "string":
        if "enum" in schema:
            values = tuple(str(v) for v in schema["enum"])
            if not values:
                raise ValueError("an enum needs at least one value")
            return ChoiceSpec(values)
        low = int(schema.get("minLength", 0))
        high = int(schema.get("maxLength", DEFAULT_MAX_LENGTH))
        if high < max(low, 1):
            raise ValueError(f"maxLength {high} is below minLength {low}")
        return StringSpec(low, high)
    if kind == "integer":
        if "enum" in schema:
            values = tuple(str(int(v)) for v in schema["enum"])
        elif "minimum" in schema and "maximum" in schema:
            values = tuple(str(v) for v in range(schema["minimum"], schema["maximum"] + 1))
        else:
            raise ValueError("an integer needs an enum or both minimum and maximum")
        if not values or len(values) > 1000:
            raise ValueError("an integer needs between 1 and 1000 allowed values")
        return ChoiceSpec(values, quoted=False)
    if kind == "array":
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, DEFAULT_MAX_ITEMS)))
        if high < low:
            raise ValueError(f"maxItems {high} is below minItems {low}")
        unique = bool(schema.get("uniqueItems"))
        return ArraySpec(compile_schema(schema["items"]), low, high, unique)
    raise ValueError(f"schema type {kind!r} is not supported by constrained decoding")


# --- what each token can be ---------------------------------------------------------------
class VocabIndex:
    """Per-token facts, computed once per tokenizer: which tokens may sit inside a JSON string,
    which start with a closing quote, and which start with a given character."""

    def __init__(self, tokenizer, size: int):
        import torch

        self.size = size
        self.texts = [""] * size
        special = set(getattr(tokenizer, "all_special_ids", []) or [])
        special |= set(getattr(tokenizer, "added_tokens_decoder", {}) or {})
        usable = min(size, len(tokenizer))
        for i in range(usable):
            if i not in special:
                self.texts[i] = tokenizer.decode([i])
        self.content = torch.tensor([_string_safe(t) for t in self.texts], dtype=torch.bool)
        self._by_chars: dict[str, object] = {}

    def starting_with(self, chars: str):
        """Tokens whose text, leading spaces aside, starts with one of `chars` (cached)."""
        import torch

        if chars not in self._by_chars:
            firsts = [t.lstrip(" ")[:1] for t in self.texts]
            self._by_chars[chars] = torch.tensor(
                [bool(f) and f in chars for f in firsts], dtype=torch.bool
            )
        return self._by_chars[chars]


def _string_safe(text: str) -> bool:
    """A token that can sit inside a JSON string as it is: no quote, no backslash, no control
    character. Partial UTF-8 bytes (decoded as U+FFFD) are fine: Korean needs them."""
    if not text:
        return False
    return not any(
        ch in '"\\' or (unicodedata.category(ch) == "Cc") or ch in "\u2028\u2029" for ch in text
    )


def squeezed(text: str) -> str:
    """Letters and digits only, case-folded, as `parsing.copied_from` compares texts; here a
    Hangul syllable counts twice (it carries about as much as two Latin letters), so the guards'
    runs mean about as much text in Korean as in English."""
    return "".join(
        ch * 2 if "\uac00" <= ch <= "\ud7a3" else ch for ch in text.casefold() if ch.isalnum()
    )


# --- decoding ------------------------------------------------------------------------------
@dataclass
class Decoded:
    text: str
    completion_tokens: int
    first_choice_at: float | None  # perf_counter time when the first choice was made
    forward_passes: int = 0


class ConstrainedDecoder:
    """Greedy decoding of one JSON answer for `spec` after `prompt_ids` (a KV cache is kept
    between steps; forced text goes through the model in one pass per run of forced tokens)."""

    def __init__(
        self,
        model,
        tokenizer,
        vocab: VocabIndex,
        *,
        max_new_tokens: int,
        avoid: tuple[str, ...] = (),
    ):
        self.model, self.tokenizer, self.vocab = model, tokenizer, vocab
        self.budget = max_new_tokens
        self.avoid = "|".join(squeezed(text) for text in avoid)
        self.written = ""  # squeezed text of the strings written so far, "|"-separated
        self.device = next(model.parameters()).device
        self.cache = None
        self.logits = None
        self.pending: list[int] = []
        self.used = 0  # tokens after the prompt, fed or pending
        self.parts: list[str] = []
        self.first_choice_at: float | None = None
        self.passes = 0

    def run(self, prompt_ids: list[int], spec) -> Decoded:
        self.pending = list(prompt_ids)
        self._value(spec)
        return Decoded("".join(self.parts), self.used, self.first_choice_at, self.passes)

    # -- plumbing --
    def _encode(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _force(self, text: str) -> None:
        ids = self._encode(text)
        self.pending.extend(ids)
        self.used += len(ids)
        self.parts.append(text)

    def _take(self, token: int) -> None:
        self.pending.append(token)
        self.used += 1

    def _next_logits(self):
        """Logits for the next token, after feeding everything pending in one forward pass."""
        import torch

        if self.pending:
            ids = torch.tensor([self.pending], device=self.device)
            with torch.inference_mode():
                if self.cache is None:
                    from transformers import DynamicCache

                    self.cache = DynamicCache(config=self.model.config)
                # transformers 5 names the argument `cache`; the object is filled in place
                out = self.model(input_ids=ids, cache=self.cache, use_cache=True, logits_to_keep=1)
            self.logits = out.logits[0, -1].float().cpu()[: self.vocab.size]
            self.pending = []
            self.passes += 1
        if self.first_choice_at is None:
            self.first_choice_at = time.perf_counter()
        return self.logits

    def _over_budget(self, reserve: int = _CLOSING_RESERVE) -> bool:
        return self.used >= self.budget - reserve

    def _end_preferred(self, other_best: float, end_chars: str) -> bool:
        logits = self._next_logits()
        end = logits.masked_fill(~self.vocab.starting_with(end_chars), -math.inf).max()
        return float(end) >= other_best

    # -- values --
    def _value(self, spec) -> None:
        if isinstance(spec, ObjectSpec):
            self._object(spec, unique_fields=None)
        elif isinstance(spec, ArraySpec):
            self._array(spec)
        elif isinstance(spec, ChoiceSpec):
            self._choice(spec, set())
        else:
            self._string(spec)

    def _object(self, spec: ObjectSpec, unique_fields: dict[str, set[str]] | None) -> None:
        for i, (key, sub) in enumerate(spec.fields):
            self._force(("{" if i == 0 else ", ") + f'"{key}": ')
            if unique_fields is not None and isinstance(sub, ChoiceSpec) and sub.quoted:
                used = unique_fields.setdefault(key, set())
                used.add(self._choice(sub, used))
            else:
                self._value(sub)
        self._force("{}" if not spec.fields else "}")

    def _array(self, spec: ArraySpec) -> None:
        self._force("[")
        used: set[str] = set()
        unique_fields: dict[str, set[str]] = {}
        starts = _first_chars(spec.items)
        count = 0
        while count < spec.max_items and not self._exhausted(spec, used, unique_fields):
            if count >= spec.min_items:
                if self._over_budget(reserve=self.budget // 4):
                    break
                logits = self._next_logits()
                go_on = "," if count else starts
                best_more = logits.masked_fill(~self.vocab.starting_with(go_on), -math.inf).max()
                if self._end_preferred(float(best_more), "]"):
                    break
            if count:
                self._force(", ")
            if isinstance(spec.items, ChoiceSpec) and spec.unique:
                used.add(self._choice(spec.items, used))
            elif isinstance(spec.items, ObjectSpec) and spec.unique:
                self._object(spec.items, unique_fields)
            else:
                self._value(spec.items)
            count += 1
        self._force("]")

    def _exhausted(self, spec: ArraySpec, used: set[str], unique_fields) -> bool:
        """No value left for a unique array (every label already listed)."""
        if not spec.unique:
            return False
        if isinstance(spec.items, ChoiceSpec):
            return len(used) >= len(set(spec.items.values))
        if isinstance(spec.items, ObjectSpec):
            return any(
                isinstance(sub, ChoiceSpec)
                and sub.quoted
                and len(unique_fields.get(key, ())) >= len(sub.values)
                for key, sub in spec.items.fields
            )
        return False

    def _choice(self, spec: ChoiceSpec, exclude: set[str]) -> str:
        """One of the allowed values, spelled token by token along a trie of their tokenizations;
        when one value is a prefix of another, the model's preference for ending decides."""
        options = [v for v in dict.fromkeys(spec.values) if v not in exclude] or list(spec.values)
        spelled = {v: self._encode(v) for v in options}
        end_chars = '"' if spec.quoted else ",}]"
        if spec.quoted:
            self._force('"')
        prefix: list[int] = []
        alive = options
        while True:
            done = [v for v in alive if spelled[v] == prefix]
            longer = [v for v in alive if len(spelled[v]) > len(prefix)]
            if not longer:
                chosen = done[0] if done else alive[0]
                break
            logits = self._next_logits()
            nexts = {spelled[v][len(prefix)] for v in longer}
            best_token = max(nexts, key=lambda t: float(logits[t]))
            if done and self._end_preferred(float(logits[best_token]), end_chars):
                chosen = done[0]
                break
            self._take(best_token)
            prefix = [*prefix, best_token]
            alive = [v for v in longer if spelled[v][: len(prefix)] == prefix]
        self.parts.append(json.dumps(chosen)[1:-1] if spec.quoted else chosen)
        if spec.quoted:
            self._force('"')
        return chosen

    def _string(self, spec: StringSpec) -> None:
        import torch

        self._force('"')
        ids: list[int] = []
        text = ""
        while True:
            long_enough = len(text.strip()) >= spec.min_length and any(c.isalpha() for c in text)
            can_end = (long_enough or not spec.min_length) and not text.endswith("\ufffd")
            if can_end and (len(text) >= spec.max_length or self._over_budget()):
                break
            if self._over_budget(reserve=0) or len(text) >= spec.max_length + 20:
                break  # past the hard limits: close even if short or mid-character
            logits = self._next_logits()
            content = logits.masked_fill(~self.vocab.content, -math.inf)
            picked, longer = None, text
            done = len(squeezed(text))
            for token in torch.topk(content, _TRIES).indices.tolist():
                if content[token] == -math.inf:
                    break
                longer = self.tokenizer.decode([*ids, token])
                if not self._copies(longer, done) and not self._loops(longer, text):
                    picked = token
                    break
            if picked is None or (can_end and self._end_preferred(float(logits[picked]), '"')):
                break
            self._take(picked)
            ids.append(picked)
            text = longer
        self.written += "|" + squeezed(text)
        self.parts.append(text)
        self._force('"')

    @staticmethod
    def _loops(longer: str, text: str) -> bool:
        """Would this token make the string one the parser refuses as repetitive? (Not blamed
        on the token when the string already was: then every token would be refused.)"""
        return repetitive(longer) and not repetitive(text)

    def _copies(self, text: str, checked: int) -> bool:
        """Would `text` (the string so far plus one token) hold a copied or repeated run ending
        after its first `checked` squeezed characters (those were checked at earlier steps)?"""
        sq = squeezed(text)
        for end in range(max(checked + 1, COPY_RUN), len(sq) + 1):
            if sq[end - COPY_RUN : end] in self.avoid:
                return True
        for end in range(max(checked + 1, REPEAT_RUN), len(sq) + 1):
            if sq[end - REPEAT_RUN : end] in self.written + "|" + sq[: end - 1]:
                return True
        return False


def _first_chars(spec) -> str:
    """The characters an item of `spec` can start with (to weigh "another item" vs "the end")."""
    if isinstance(spec, ObjectSpec):
        return "{"
    if isinstance(spec, ArraySpec):
        return "["
    if isinstance(spec, ChoiceSpec) and not spec.quoted:
        return "-0123456789"
    return '"'
