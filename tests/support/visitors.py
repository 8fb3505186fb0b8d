"""A visitor arriving through the platform's router: HTTPS as far as Django can tell
(X-Forwarded-Proto), with cookies kept between requests and Django's CSRF token."""

import hashlib
import http.client
import re
import secrets
import socket
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from websockets.client import ClientProtocol
from websockets.frames import Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin
from websockets.uri import parse_uri

from tests.support import platform_env

HOST = platform_env.HOST
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Appended to a copy's settings (conftest.py's fast_hashing_project): Django's MD5 hasher
# first, for tiers whose visitors log in and change passwords often and that test
# nothing of the hasher, since each production hash costs up to a second of CPU.
FAST_HASHERS = """
# The template's test suite: a fast hasher first (tests/conftest.py).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
"""


def md5_password(password: str) -> str:
    """`password` as Django's MD5PasswordHasher stores it."""
    salt = secrets.token_hex(8)
    return f"md5${salt}${hashlib.md5((salt + password).encode()).hexdigest()}"


# For `python -c SCRIPT PASSWORD`: the password as Django's default hasher stores it
# (PBKDF2 at the version's iterations, about a second of CPU). Made once per venv and
# password, then stored as it is for every account: a login checks it at full cost and
# finds nothing to upgrade, as it would after a sign-up.
HASH_PASSWORD = """
import sys
from django.conf import settings
settings.configure()
from django.contrib.auth.hashers import make_password
print(make_password(sys.argv[1]))
"""


def form_headers(
    page: str, content_type: str = "application/x-www-form-urlencoded"
) -> dict[str, str]:
    """What a browser sends with a form posted from the site's https:// `page`."""
    return {
        "Content-Type": content_type,
        "Origin": f"https://{HOST}",
        "Referer": f"https://{HOST}{page}",
    }


class Visitor:
    def __init__(self, port: int, headers: dict[str, str] | None = None):
        self.port = port
        # Sent with every request, e.g. the router's header naming the visitor's address.
        self.headers = dict(headers or {})
        self.cookies: dict[str, str] = {}
        self.location: str | None = None  # of the last response
        self.form_token: str | None = None  # the CSRF token of the last form received

    @classmethod
    def with_own_address(cls, port: int, platform: str) -> "Visitor":
        """A visitor the router saw come from an address of its own: many logins from
        one address would run into the accounts' per-address rate limits."""
        address = platform_env.visitor_address()
        return cls(port, platform_env.router_headers(platform, address))

    def _send(self, method: str, path: str, body: str | bytes | None = None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            all_headers = {"Host": HOST, "X-Forwarded-Proto": "https", **self.headers}
            all_headers.update(headers or {})
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            self.location = response.getheader("Location")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            body = response.read().decode()
            if token := CSRF_INPUT.search(body):
                self.form_token = token.group(1)
            return response.status, body
        finally:
            conn.close()

    def get(self, path: str) -> tuple[int, str]:
        return self._send("GET", path)

    def post_form(self, page: str, action: str, fields: dict[str, str]) -> tuple[int, str]:
        """Post a form found on `page` to `action`, as a browser on the https:// page
        would: with the page's CSRF token, Origin and Referer."""
        status, html = self.get(page)
        assert status == 200, html[:500]
        body = urlencode({**fields, "csrfmiddlewaretoken": CSRF_INPUT.search(html).group(1)})
        return self._send("POST", action, body, form_headers(page))

    def post_again(self, page: str, action: str, fields: dict[str, str]) -> tuple[int, str]:
        """post_form without loading `page` first once a form was received, as a
        visitor sends a form again from the page it came back on: with that form's
        CSRF token (any page's is good for as long as the visitor's CSRF cookie)."""
        if self.form_token is None:
            return self.post_form(page, action, fields)
        body = urlencode({**fields, "csrfmiddlewaretoken": self.form_token})
        return self._send("POST", action, body, form_headers(page))

    def upload(
        self, page: str, action: str, field: str, filename: str, content: bytes
    ) -> tuple[int, str]:
        """Post one file as a browser posts a multipart form found on `page`."""
        status, html = self.get(page)
        assert status == 200, html[:500]
        boundary = f"----ccdp{secrets.token_hex(8)}"
        token = CSRF_INPUT.search(html).group(1)
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"'
                f"\r\n\r\n{token}\r\n"
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}";'
                f' filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        content_type = f"multipart/form-data; boundary={boundary}"
        return self._send("POST", action, body, form_headers(page, content_type))

    def submit(self, page: str, action: str, fields: dict[str, str]) -> None:
        """post_form, which must succeed (a redirect)."""
        status, html = self.post_form(page, action, fields)
        assert status == 302, f"POST {action} answered {status}: {html[:500]}"

    def log_in(self, username: str, password: str) -> None:
        fields = {"login": username, "password": password}
        self.submit("/accounts/login/", "/accounts/login/", fields)
        assert "sessionid" in self.cookies

    def log_out(self) -> None:
        # The logout form is on the live page: Django logs out on POST only.
        self.submit("/live/", "/accounts/logout/", {})


def open_websocket(port: int, route: str, headers=None, **options) -> ClientConnection:
    """A WebSocket to the web process as the router opens it for a page of the site:
    the site's own Origin and Host (the router passes on the one the browser sent),
    marked as HTTPS, with `headers` besides."""
    source = options.pop("source_address", None)  # where the router's connection is from
    return connect(
        f"ws://{HOST}{route}",
        sock=socket.create_connection(("127.0.0.1", port), timeout=10, source_address=source),
        origin=f"https://{HOST}",
        additional_headers={"X-Forwarded-Proto": "https", **(headers or {})},
        open_timeout=10,
        **options,
    )


def site_websocket(port: int, route: str, headers=None) -> dict:
    """The arguments of websockets.asyncio.client.connect() for a WebSocket opened as
    open_websocket() opens it."""
    return {
        "uri": f"ws://{HOST}{route}",
        "host": "127.0.0.1",
        "port": port,
        "origin": f"https://{HOST}",
        "additional_headers": {"X-Forwarded-Proto": "https", **(headers or {})},
    }


def replies_until_closed(port: int, route: str, frame: str | bytes) -> tuple[list[str], int | None]:
    """Send one frame on a new WebSocket (open_websocket()'s Origin, Host and scheme) and
    read until the server hangs up: (the text messages it sent, the code of its close
    frame, None if it sent none).

    websockets' own protocol (sans I/O) over a plain socket, since its threaded client
    drops the frames it read together with a close frame when it cannot answer that
    close (the server has hung up already): a message sent just before a close."""
    protocol = ClientProtocol(
        parse_uri(f"ws://{HOST}{route}"), origin=Origin(f"https://{HOST}"), max_size=None
    )
    request = protocol.connect()
    request.headers["X-Forwarded-Proto"] = "https"
    protocol.send_request(request)
    messages: list[str] = []
    deadline = time.monotonic() + 10
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        while protocol.state is not State.CLOSED and time.monotonic() < deadline:
            try:
                for data in protocol.data_to_send():
                    if data:
                        sock.sendall(data)
                    else:  # the protocol's end of stream
                        sock.shutdown(socket.SHUT_WR)
                data = sock.recv(65536)
            except TimeoutError:
                break
            except OSError:  # the server hung up (a reset, or a write after it)
                data = b""
            if data:
                protocol.receive_data(data)
            else:
                protocol.receive_eof()
            for event in protocol.events_received():
                if isinstance(event, Response):
                    if event.status_code != 101:
                        raise AssertionError(f"{route} answered {event.status_code}, not 101")
                    if isinstance(frame, bytes):
                        protocol.send_binary(frame)
                    else:
                        protocol.send_text(frame.encode())
                elif event.opcode is Opcode.TEXT:
                    messages.append(event.data.decode())
    if protocol.state is not State.CLOSED:
        raise AssertionError(f"{route} was not closed within 10 s after {frame[:20]!r}")
    return messages, protocol.close_rcvd.code if protocol.close_rcvd else None
