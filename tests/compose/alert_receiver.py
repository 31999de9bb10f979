"""The compose tests' webhook receiver (a service of compose.test.yml, in the stand-in Python
image): it keeps every JSON body POSTed to it and answers GET with all of them, as a JSON list,
so a test on the host can read what Alertmanager and the alert sensors sent."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

received: list[object] = []
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def do_GET(self) -> None:
        with lock:
            body = json.dumps(received).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
