"""Backend for any OpenAI-compatible chat-completions server (vLLM, Ollama, llama.cpp, TGI).

POST {base_url}/chat/completions through httpx with separate connect/read timeouts. Connection
errors and 5xx answers are retried a bounded number of times with exponential backoff; a read
timeout is not retried (the server is busy: waiting again would only double the user's wait).
Every failure becomes `LLMUnavailable`/`LLMTimeout` with a message that says what happened.

JSON mode differs per server and stays inside this adapter:
- "vllm" / "openai": `response_format={"type": "json_schema", "json_schema": {...}}`
- "llamacpp": `response_format={"type": "json_object", "schema": {...}}` (llama.cpp rejects
  json_schema with HTTP 500)
- "ollama": top-level `format: <schema>`
- "none": no JSON hint (the prompt still asks for JSON and the parser still validates).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence

import httpx

from llm_worker.backends.base import Generation, LLMBackend, LLMTimeout, LLMUnavailable, Message

log = logging.getLogger(__name__)

FLAVOURS = ("auto", "vllm", "openai", "llamacpp", "ollama", "none")


def guess_flavour(base_url: str) -> str:
    if ":11434" in base_url:  # Ollama's default port
        return "ollama"
    return "vllm"


def json_mode_fields(flavour: str, schema: dict) -> dict:
    """The request fields that ask this kind of server for JSON following `schema`."""
    if flavour in ("vllm", "openai"):
        return {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": schema, "strict": False},
            }
        }
    if flavour == "llamacpp":
        return {"response_format": {"type": "json_object", "schema": schema}}
    if flavour == "ollama":
        return {"format": schema}
    return {}


class OpenAIBackend(LLMBackend):
    name = "openai"
    engine = "llm:openai"

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000/v1",
        model: str = "",
        *,
        api_key: str = "",
        timeout_s: float = 30.0,
        connect_timeout_s: float = 5.0,
        retries: int = 2,
        backoff_s: float = 0.5,
        flavour: str = "auto",
        max_new_tokens: int = 512,
        temperature: float = 0.0,
        transport: httpx.BaseTransport | None = None,
        **_ignored,
    ):
        if flavour not in FLAVOURS:
            raise ValueError(f"flavour must be one of {FLAVOURS}, not {flavour!r}")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.flavour = guess_flavour(self.base_url) if flavour == "auto" else flavour
        self.retries = max(0, int(retries))
        self.backoff_s = backoff_s
        self.max_new_tokens = max_new_tokens
        self.temperature = temperature
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
            headers=headers,
            transport=transport,
        )

    def payload(
        self, messages: list[Message], *, max_new_tokens: int, json_schema: dict | None
    ) -> dict:
        body = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_new_tokens,
            "temperature": self.temperature,
        }
        if json_schema is not None:
            body.update(json_mode_fields(self.flavour, json_schema))
        return body

    def generate(
        self,
        messages: list[Message],
        *,
        max_new_tokens: int | None = None,
        json_schema: dict | None = None,
        avoid: Sequence[str] = (),  # a remote server cannot be steered; the parser checks copies
    ) -> Generation:
        body = self.payload(
            messages, max_new_tokens=max_new_tokens or self.max_new_tokens, json_schema=json_schema
        )
        url = f"{self.base_url}/chat/completions"
        started = time.perf_counter()
        response = self._post_with_retries(url, body)
        seconds = time.perf_counter() - started
        return self._parse(response, seconds)

    def _post_with_retries(self, url: str, body: dict) -> httpx.Response:
        last_error = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                response = self.client.post(url, json=body)
                response.read()
            except httpx.ConnectTimeout as exc:
                last_error = f"connect timeout to {url}: {exc}"
            except httpx.ConnectError as exc:
                last_error = f"connection refused/failed to {url}: {exc}"
            except httpx.TimeoutException as exc:
                raise LLMTimeout(f"no answer from {url} within the read timeout") from exc
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                raise LLMUnavailable(f"truncated or broken response from {url}: {exc}") from exc
            else:
                if response.status_code < 500:
                    if response.status_code >= 400:
                        raise LLMUnavailable(
                            f"{url} refused the request: HTTP {response.status_code} "
                            f"{response.text[:200]!r}"
                        )
                    return response
                last_error = f"HTTP {response.status_code} from {url}: {response.text[:200]!r}"
            log.warning("LLM server attempt %d failed: %s", attempt + 1, last_error)
        raise LLMUnavailable(f"{last_error} (after {self.retries + 1} attempts)")

    def _parse(self, response: httpx.Response, seconds: float) -> Generation:
        try:
            data = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise LLMUnavailable(
                f"the LLM server answered a body that is not JSON: {response.text[:120]!r}"
            ) from exc
        try:
            choice = data["choices"][0]
            message = choice["message"]
        except (KeyError, IndexError, TypeError) as exc:
            raise LLMUnavailable(f"the LLM server answered without choices: {data!r:.200}") from exc
        if message.get("refusal"):
            raise LLMUnavailable(f"the model refused: {message['refusal']!r:.200}")
        content = message.get("content")
        if not isinstance(content, str):
            raise LLMUnavailable("the LLM server answered a message without text content")
        usage = data.get("usage") or {}
        return Generation(
            text=content,
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            seconds=seconds,
            ttft=None,  # non-streaming: the first token arrives with the last
            extra={"finish_reason": choice.get("finish_reason", "")},
        )

    def close(self) -> None:
        self.client.close()
