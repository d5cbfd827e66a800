"""A protocol-faithful OpenAI chat-completions server in a thread (http.server, 127.0.0.1, a
random port) for testing the `openai` backend for real, and for the benchmark (where it serves
a real model through `responder`).

`mode` makes it misbehave the way real servers do: "ok", "sleep" (answers after `sleep_s`),
"500" (HTTP 500 every time), "500-then-ok" (`fail_times` 500s, then answers), "truncated"
(announces a longer body than it sends, then closes), "nonjson" (an HTML error page with 200).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _default_responder(body: dict) -> tuple[str, int, int]:
    return '{"final": [{"label": "C01", "fit": 9, "reason": "A tense heist."}]}', 42, 17


class ChatServer:
    def __init__(self, responder: Callable[[dict], tuple[str, int, int]] | None = None):
        self.responder = responder or _default_responder
        self.mode = "ok"
        self.sleep_s = 0.0
        self.fail_times = 0
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(body)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, b'{"error": "not found"}')
                mode = server.mode
                if mode == "500-then-ok" and server.fail_times > 0:
                    server.fail_times -= 1
                    mode = "500"
                if mode == "500":
                    return self._send(500, b'{"error": {"message": "internal error"}}')
                if mode == "sleep":
                    time.sleep(server.sleep_s)
                if mode == "nonjson":
                    return self._send(
                        200, b"<html><body>502 Bad Gateway</body></html>", "text/html"
                    )
                content, prompt_tokens, completion_tokens = server.responder(body)
                payload = {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", ""),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {
                        "prompt_tokens": prompt_tokens,
                        "completion_tokens": completion_tokens,
                        "total_tokens": prompt_tokens + completion_tokens,
                    },
                }
                data = json.dumps(payload).encode()
                if mode == "truncated":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)  # the peer sees the body end early
                    return None
                return self._send(200, data)

            def _send(self, status: int, data: bytes, content_type: str = "application/json"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ChatServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
