"""A real HTTP server in a thread that speaks enough of the OpenAI chat-completions protocol
to stand in for an LLM server, and misbehaves on request (the fault tests drive it).

`responder(body) -> (status, content_type, bytes)` decides each answer of POST
/v1/chat/completions; `GET /v1/models` answers like a healthy server. `hold` makes every
request wait until it is set (or `hold_s` passes), so a test can act while a request is in
flight; `started` is set when the first request arrives.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Responder = Callable[[dict], tuple[int, str, bytes]]


def completion(content: str, *, model: str = "stub") -> bytes:
    """A well-formed chat.completion body whose message text is `content`."""
    return json.dumps(
        {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }
    ).encode()


def json_answer(content: str) -> tuple[int, str, bytes]:
    return 200, "application/json", completion(content)


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StubLLMServer:
    def __init__(self, responder: Responder):
        self.responder = responder
        self.requests: list[dict] = []
        self.started = threading.Event()
        self.hold = threading.Event()
        self.hold.set()
        self.hold_s = 0.0
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path.rstrip("/") == "/v1/models":
                    return self._send(200, "application/json", b'{"data": [{"id": "stub"}]}')
                return self._send(404, "application/json", b'{"error": "not found"}')

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                stub.requests.append(body)
                stub.started.set()
                if not stub.hold.is_set():
                    stub.hold.wait(stub.hold_s)
                try:
                    status, ctype, data = stub.responder(body)
                except Exception as exc:  # a broken responder is a 500, like a real server
                    status, ctype, data = 500, "text/plain", str(exc).encode()
                self._send(status, ctype, data)

            def _send(self, status: int, ctype: str, data: bytes):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> StubLLMServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()
