# The python3-http template's entry point: calls handler.handle(event, context) and answers
# over the function's protocol. stdio: the request body on stdin (request details in the
# classic watchdog's Http_* variables), the response body on stdout. http: a server on $PORT.
import os
import sys

import handler


class Event:
    def __init__(self, body, headers, method, path, query):
        self.body = body
        self.headers = headers
        self.method = method
        self.path = path
        self.query = query


class Context:
    hostname = os.environ.get("HOSTNAME", "localhost")


def reply(result):
    """(status, headers, body bytes) from what handle() returned."""
    if isinstance(result, dict):
        body = result.get("body", b"")
        status = int(result.get("statusCode", 200))
        headers = result.get("headers", {})
    else:
        body, status, headers = result, 200, {}
    if body is None:
        body = b""
    if not isinstance(body, (bytes, bytearray)):
        body = str(body).encode("utf-8")
    return status, headers, bytes(body)


def stdio():
    env = os.environ
    headers = {
        k[5:].replace("_", "-"): v
        for k, v in env.items()
        if k.startswith("Http_") and k not in ("Http_Method", "Http_Path", "Http_Query")
    }
    event = Event(
        sys.stdin.buffer.read(),
        headers,
        env.get("Http_Method", "POST"),
        env.get("Http_Path", "/"),
        env.get("Http_Query", ""),
    )
    _, _, body = reply(handler.handle(event, Context()))
    sys.stdout.buffer.write(body)
    sys.stdout.buffer.flush()


def http(port):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            path, _, query = self.path.partition("?")
            event = Event(self.rfile.read(length), dict(self.headers), self.command, path, query)
            try:
                status, headers, body = reply(handler.handle(event, Context()))
            except Exception as err:  # the function's error, reported as of-watchdog does
                status, headers, body = 500, {}, f"{type(err).__name__}: {err}\n".encode()
                print(f"handler failed: {err!r}", file=sys.stderr, flush=True)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = serve

        def log_message(self, *args):
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    port = os.environ.get("PORT")
    if port:
        http(int(port))
    else:
        stdio()
