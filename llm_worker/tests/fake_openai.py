"""The one fake OpenAI-compatible LLM server for tests and the benchmark: a real HTTP server
(http.server in a thread, 127.0.0.1, a random port) that speaks enough of the chat-completions
protocol for the `openai` backend, and misbehaves on request the way real servers do.

- POST /v1/chat/completions: `responder(body)` decides the answer. It returns the message text
  (a `str`: a well-formed chat.completion, 10 + 10 tokens), a `Completion` (text and token
  counts), or a `RawReply` (status, content type and body bytes, sent as they are). A responder
  that raises is an HTTP 500, like a broken server. Without a responder the server ranks "C01".
- GET /v1/models answers like a healthy server (the health check asks it); other paths 404.
- `mode`: "ok"; "500" (HTTP 500 every time); "500-then-ok" (`fail_times` 500s, then answers);
  "truncated" (announces a longer body than it sends, then closes); "nonjson" (an HTML error
  page with status 200).
- `hold`: while it is cleared, every request waits until it is set or `hold_s` passes (a slow
  server, or one a test keeps busy while it acts); `started` is set when the first request
  arrives. `requests` holds every request body, in order.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Completion:
    """A well-formed answer: the message text and the usage the server reports."""

    content: str
    prompt_tokens: int = 10
    completion_tokens: int = 10


@dataclass(frozen=True)
class RawReply:
    """An answer sent byte for byte (a body that is not a chat.completion, an error status)."""

    status: int
    content_type: str
    body: bytes


Responder = Callable[[dict], "str | Completion | RawReply"]

DEFAULT_ANSWER = Completion(
    '{"final": [{"label": "C01", "fit": 9, "reason": "A tense heist."}]}', 42, 17
)


def completion_body(answer: Completion, *, model: str = "fake") -> bytes:
    """The chat.completion JSON body whose message text is `answer.content`."""
    return json.dumps(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer.content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": answer.prompt_tokens,
                "completion_tokens": answer.completion_tokens,
                "total_tokens": answer.prompt_tokens + answer.completion_tokens,
            },
        }
    ).encode()


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeOpenAI:
    def __init__(self, responder: Responder | None = None):
        self.responder: Responder = responder or (lambda body: DEFAULT_ANSWER)
        self.mode = "ok"
        self.fail_times = 0
        self.requests: list[dict] = []
        self.started = threading.Event()
        self.hold = threading.Event()
        self.hold.set()
        self.hold_s = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                if self.path.rstrip("/") == "/v1/models":
                    return self._send(200, "application/json", b'{"data": [{"id": "fake"}]}')
                return self._send(404, "application/json", b'{"error": "not found"}')

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(body)
                fake.started.set()
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, "application/json", b'{"error": "not found"}')
                if not fake.hold.is_set():
                    fake.hold.wait(fake.hold_s)
                reply = fake._reply(body)
                if fake.mode == "truncated" and reply.status == 200:
                    return self._send_truncated(reply)
                return self._send(reply.status, reply.content_type, reply.body)

            def _send(self, status: int, content_type: str, data: bytes):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

            def _send_truncated(self, reply: RawReply):
                self.send_response(200)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body[: len(reply.body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)  # the peer sees the body end early

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _reply(self, body: dict) -> RawReply:
        mode = self.mode
        if mode == "500-then-ok" and self.fail_times > 0:
            self.fail_times -= 1
            mode = "500"
        if mode == "500":
            return RawReply(500, "application/json", b'{"error": {"message": "internal error"}}')
        if mode == "nonjson":
            return RawReply(200, "text/html", b"<html><body>502 Bad Gateway</body></html>")
        try:
            answer = self.responder(body)
        except Exception as exc:  # a broken responder is a 500, like a real server
            return RawReply(500, "text/plain", str(exc).encode())
        if isinstance(answer, RawReply):
            return answer
        if isinstance(answer, str):
            answer = Completion(answer)
        model = body.get("model") or "fake"
        return RawReply(200, "application/json", completion_body(answer, model=model))

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()
