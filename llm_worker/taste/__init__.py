"""Understanding what the user asks: the structured taste request and its parsers.

- `request`: `TasteRequest` (hard constraints and soft preferences), `combine` (turn by turn),
  JSON (`to_json`, `from_json`, `json_schema`) and `describe` (what was understood, as data).
- `grounded_parser.parse_request`: English and Korean words linked to the catalogue's `Lexicon`
  (`movies.lexicon`), without a model.
- `llm_parser.llm_parse_request`: the same structure from an LLM backend under a JSON schema,
  every name checked against the catalogue, the grounded reading on any failure.
"""

from .request import (
    NotUnderstood,
    ParseResult,
    PersonRef,
    TasteRequest,
    TasteRequestError,
    Understood,
    combine,
    describe,
    from_json,
    json_schema,
    to_json,
)

__all__ = [
    "NotUnderstood",
    "ParseResult",
    "PersonRef",
    "TasteRequest",
    "TasteRequestError",
    "Understood",
    "combine",
    "describe",
    "from_json",
    "json_schema",
    "to_json",
]
