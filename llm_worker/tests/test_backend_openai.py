"""The openai backend against a real chat-completions server on 127.0.0.1 (http.server in a
thread): normal answers, refused connections, timeouts, 500s, truncated and non-JSON bodies."""

from __future__ import annotations

import socket
import time

import pytest

from llm_worker.backends import LLMTimeout, LLMUnavailable, get_backend
from llm_worker.backends.openai_backend import json_mode_fields
from llm_worker.parsing import rerank_schema
from llm_worker.pipeline import rerank
from llm_worker.tests.fake_openai import Completion, FakeOpenAI
from llm_worker.tests.llm_samples import rerank_input

MESSAGES = [{"role": "user", "content": "hello"}]


@pytest.fixture
def server():
    with FakeOpenAI() as running:
        yield running


RERANK_SCHEMA = rerank_schema(["C01", "C02", "C03"], k=2, language="en", variant="optimized")


def _backend(url, **options):
    options = {"model": "smollm2", "timeout_s": 2.0, "retries": 2, "backoff_s": 0.01, **options}
    return get_backend("openai", base_url=url, **options)


def test_normal_answer_with_usage_and_json_mode(server):
    backend = _backend(server.base_url, api_key="sk-test", flavour="llamacpp")
    gen = backend.generate(MESSAGES, max_new_tokens=64, json_schema=RERANK_SCHEMA)
    assert '"C01"' in gen.text
    assert (gen.prompt_tokens, gen.completion_tokens) == (42, 17)
    sent = server.requests[-1]
    assert sent["model"] == "smollm2"
    assert sent["max_tokens"] == 64
    assert sent["messages"] == MESSAGES
    assert sent["response_format"] == {"type": "json_object", "schema": RERANK_SCHEMA}


def test_json_mode_per_server_flavour():
    assert json_mode_fields("vllm", {"a": 1})["response_format"]["type"] == "json_schema"
    assert json_mode_fields("ollama", {"a": 1}) == {"format": {"a": 1}}
    assert json_mode_fields("none", {"a": 1}) == {}


def test_refused_connection_is_unavailable_after_bounded_retries():
    with socket.socket() as sock:  # a port that was free a moment ago and has no listener
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = _backend(f"http://127.0.0.1:{port}/v1", retries=2)
    started = time.perf_counter()
    with pytest.raises(LLMUnavailable, match=r"connection refused.*after 3 attempts"):
        backend.generate(MESSAGES)
    assert time.perf_counter() - started < 2


def test_read_timeout_raises_llm_timeout_without_retrying(server):
    server.hold.clear()  # every request waits 1.5 s, past the 0.3 s read timeout
    server.hold_s = 1.5
    backend = _backend(server.base_url, timeout_s=0.3)
    with pytest.raises(LLMTimeout, match="read timeout"):
        backend.generate(MESSAGES)
    assert len(server.requests) == 1


def test_http_500_is_retried_then_unavailable(server):
    server.mode = "500"
    with pytest.raises(LLMUnavailable, match=r"HTTP 500.*after 3 attempts"):
        _backend(server.base_url, retries=2).generate(MESSAGES)
    assert len(server.requests) == 3


def test_a_transient_500_is_recovered_by_a_retry(server):
    server.mode, server.fail_times = "500-then-ok", 1
    gen = _backend(server.base_url).generate(MESSAGES)
    assert '"C01"' in gen.text
    assert len(server.requests) == 2


def test_truncated_body_is_unavailable(server):
    server.mode = "truncated"
    with pytest.raises(LLMUnavailable, match="truncated"):
        _backend(server.base_url).generate(MESSAGES)


def test_non_json_body_is_unavailable(server):
    server.mode = "nonjson"
    with pytest.raises(LLMUnavailable, match="not JSON"):
        _backend(server.base_url).generate(MESSAGES)


def test_pipeline_over_a_failing_server_falls_back_to_grounded(server):
    server.mode = "500"
    result = rerank(_backend(server.base_url, retries=0), rerank_input(k=2))
    assert result.engine == "grounded"
    assert "HTTP 500" in result.degraded_reason
    assert [it.movie_id for it in result.items] == [10, 11]


def test_pipeline_over_a_healthy_server(server):
    server.responder = lambda body: Completion(
        '{"final": [{"label": "C05", "fit": 9, "reason": "Another Fincher mystery."},'
        ' {"label": "C99", "fit": 9, "reason": "invented"}]}',
        300,
        40,
    )
    result = rerank(_backend(server.base_url), rerank_input(k=2))
    assert result.engine == "llm:openai"
    assert [it.movie_id for it in result.items] == [14, 10]
    assert result.dropped == 1
    assert result.stats["prompt_tokens"] == 300
