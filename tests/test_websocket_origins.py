"""Attacker tier: WebSocket origins. A page of another site opens the live feed and
the ping socket with a signed-in visitor's cookie, as a browser would send it, to the
exact web command run with the Host names Heroku's app.json allows (every
*.herokuapp.com name) and the router's X-Forwarded-Proto.

Only a page of the site's own origin, scheme, host and port, gets a socket; another
Heroku app's page, the same host over plain HTTP or on another port are refused with
403 before a consumer runs, whatever DJANGO_ALLOWED_HOSTS lets in. An origin that
DJANGO_CSRF_TRUSTED_ORIGINS lists exactly is let in. One group per ASGI server and
platform (daphne and uvicorn on Heroku and App Platform), Django 6.1.
"""

import socket

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.support.visitors import Visitor

APP = "ccdp-victim.herokuapp.com"
HEROKU_HOSTS = ".herokuapp.com"  # app.json's DJANGO_ALLOWED_HOSTS
TRUSTED = "https://www.example.com"
ROUTES = ["/ws/live/", "/ws/ping/"]


def one_group_per_server(answers: dict) -> bool:
    return (
        answers["interface"] == "asgi"
        and answers["django_version"] == "6.1"
        and answers["channel_layer"] == "redis"
    )


pytestmark = pytest.mark.only.with_args(one_group_per_server)


@pytest.fixture(scope="module")
def server(start_web) -> int:
    return start_web(
        DJANGO_ALLOWED_HOSTS=f"{HEROKU_HOSTS},127.0.0.1",
        DJANGO_CSRF_TRUSTED_ORIGINS=TRUSTED,
    )


@pytest.fixture(scope="module")
def session(server, create_users) -> str:
    """A signed-in visitor's session cookie, which a browser sends with a WebSocket
    to the site whichever page opens it."""
    create_users(["origins-visitor"], "origins-tier-password")
    visitor = Visitor(server)
    visitor.log_in("origins-visitor", "origins-tier-password")
    return visitor.cookies["sessionid"]


def handshake(port: int, route: str, origin: str, session: str, proto: str = "https") -> int:
    """The status of a WebSocket handshake to the app's host through the router
    (101: open), from a page of `origin`."""
    try:
        with connect(
            f"ws://{APP}{route}",
            sock=socket.create_connection(("127.0.0.1", port), timeout=10),
            origin=origin,
            additional_headers={"X-Forwarded-Proto": proto, "Cookie": f"sessionid={session}"},
            open_timeout=10,
        ):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


@pytest.mark.parametrize("route", ROUTES)
def test_a_page_of_the_site_opens_its_sockets(server, session, route):
    assert handshake(server, route, f"https://{APP}", session) == 101


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    "origin",
    [
        "https://ccdp-attacker.herokuapp.com",  # another Heroku app's page
        f"http://{APP}",  # the site's host, over plain HTTP
        f"https://{APP}:8443",  # the site's host, on another port
        "https://www.example.com.attacker.example",
        "null",  # a sandboxed frame's page
    ],
)
def test_a_page_of_another_origin_is_refused(server, session, route, origin):
    assert handshake(server, route, origin, session) == 403


def test_a_request_the_router_marks_as_plain_http_is_not_the_https_site(server, session):
    """The origin's scheme is the router's X-Forwarded-Proto, not a guess: a page on
    https:// does not match a socket that reached the router over plain HTTP."""
    assert handshake(server, "/ws/ping/", f"http://{APP}", session, proto="http") == 101
    assert handshake(server, "/ws/ping/", f"https://{APP}", session, proto="http") == 403


def test_an_origin_the_owner_trusts_is_let_in(server, session):
    assert handshake(server, "/ws/ping/", TRUSTED, session) == 101


def test_a_path_no_route_takes_is_refused_without_a_traceback(server, session, web_servers):
    """Anyone may ask for any path, as for a page that does not exist."""
    assert handshake(server, "/ws/nothing-here/", f"https://{APP}", session) == 403
    assert "Traceback" not in web_servers[server].output, web_servers[server].output[-3000:]
