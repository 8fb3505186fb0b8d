"""The visitor's address, as a view or a consumer a user adds reads it, under every
server the template offers, on both platforms: the project's own web command, with
the environment its manifests give, serving a copy of the deployed project to which
a view returning `request.META["REMOTE_ADDR"]` (sync, and async under ASGI) and a
WebSocket consumer sending `scope["client"]` have been added, as a user adds them.

The address is the one the platform's router wrote: on Heroku the last
X-Forwarded-For entry (the router appends the address it saw; a client can put
anything before it), on App Platform DO-Connecting-IP. Without the header, the
peer's address: each request here comes from 127.0.0.7, so that the peer is not
mistaken for a fixed 127.0.0.1. The rule does not depend on the Django version or
the channel layer, so it runs on one group per server and platform.

Under gunicorn (WSGI), no peer's forwarded headers are trusted: a client's
SCRIPT_NAME header, which gunicorn would map into the environ for a trusted peer,
moves nothing.
"""

import http.client
import shutil
from pathlib import Path

import pytest

from tests.support import platform_env, user_views
from tests.support.servers import request
from tests.support.visitors import open_websocket


def one_group_per_server(answers: dict) -> bool:
    return answers["django_version"] == "6.1" and (
        answers["interface"] == "wsgi" or answers["channel_layer"] == "redis"
    )


pytestmark = pytest.mark.only.with_args(one_group_per_server)

PEER = "127.0.0.7"  # loopback, but not the address every other test connects from
VISITOR = "203.0.113.7"  # what the router saw (TEST-NET-3)
FORGED = "6.6.6.6"  # what the client claims
ROUTER_HEADER = {"heroku": "X-Forwarded-For", "digitalocean": "DO-Connecting-IP"}

VIEWS = """from django.http import HttpResponse


def address(request):
    return HttpResponse(request.META["REMOTE_ADDR"])


async def async_address(request):
    return HttpResponse(request.META["REMOTE_ADDR"])
"""
# The test, not the consumer, closes the socket once it has the answer. A server's
# close frame right behind its message can make the test's client (websockets' sync
# client) drop the message: when its reply to the close cannot be sent because the
# server has already hung up, it discards the frames read with that close.
CONSUMER = """from channels.generic.websocket import WebsocketConsumer


class AddressConsumer(WebsocketConsumer):
    def connect(self):
        self.accept()
        self.send(self.scope["client"][0])
"""


@pytest.fixture(scope="module")
def user_project(deployed_project, runtime_answers, tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("client-address") / deployed_project.name
    shutil.copytree(deployed_project, copy)
    package = copy / copy.name
    routes = {"/address/": "address", "/async-address/": "async_address"}
    user_views.add_views(package, copy / "config" / "urls.py", VIEWS, routes, "address_views")
    if runtime_answers["interface"] == "asgi":
        user_views.add_consumer(
            package,
            copy / "config" / "routing.py",
            CONSUMER,
            "address_consumer",
            "AddressConsumer",
            "/ws/address/",
        )
    return copy


@pytest.fixture(scope="module")
def server(start_web, user_project) -> int:
    return start_web(project=user_project)


def requests(platform: str) -> list[tuple[str, dict[str, str], str]]:
    """(what it is, the platform's headers on top of the router's, the address the
    project must see) for each way a request can arrive."""
    header = ROUTER_HEADER[platform]
    cases = [
        ("no header", {}, PEER),
        ("the router's header", {header: VISITOR}, VISITOR),
        ("a forged entry before the router's", {header: f"{FORGED}, {VISITOR}"}, VISITOR),
    ]
    if platform == "digitalocean":
        # The edge's X-Forwarded-For names its ingress, or whatever a client wrote.
        cases.append(
            ("X-Forwarded-For beside it", {header: VISITOR, "X-Forwarded-For": FORGED}, VISITOR)
        )
    else:
        cases.append(("two forged entries", {header: f"{FORGED}, 6.6.6.7, {VISITOR}"}, VISITOR))
    return cases


def address_seen(port: int, path: str, headers: dict[str, str]) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(PEER, 0))
    try:
        connection.request(
            "GET",
            path,
            headers={"Host": platform_env.HOST, "X-Forwarded-Proto": "https", **headers},
        )
        response = connection.getresponse()
        body = response.read().decode()
        assert response.status == 200, body[:500]
        return body
    finally:
        connection.close()


def test_a_view_sees_the_address_the_router_saw(server, runtime_answers):
    paths = ["/address/"]
    if runtime_answers["interface"] == "asgi":
        paths.append("/async-address/")  # Django's ASGI handler, not the WSGI bridge

    seen = {
        (case, path): address_seen(server, path, headers)
        for case, headers, _ in requests(runtime_answers["platform"])
        for path in paths
    }

    expected = {
        (case, path): address
        for case, _, address in requests(runtime_answers["platform"])
        for path in paths
    }
    assert seen == expected


@pytest.mark.only(one_group_per_server, interface="asgi")
def test_a_consumer_sees_the_address_the_router_saw(server, runtime_answers):
    seen, expected = {}, {}
    for case, headers, address in requests(runtime_answers["platform"]):
        with open_websocket(
            server, "/ws/address/", headers=headers, source_address=(PEER, 0)
        ) as websocket:
            seen[case] = websocket.recv(timeout=10)
        expected[case] = address

    assert seen == expected


@pytest.mark.only(one_group_per_server, interface="wsgi")
def test_a_client_cannot_move_the_site_under_another_path(server):
    """gunicorn maps a trusted peer's SCRIPT_NAME header into the environ, and Django
    then prefixes every link it writes with it: with the router trusted, any client
    could have pages (and whatever caches them) link elsewhere. No peer is trusted."""
    headers = {"Host": platform_env.HOST, "X-Forwarded-Proto": "https"}
    response = request(server, "/elsewhere/", {**headers, "SCRIPT_NAME": "/elsewhere"})

    assert response.status == 404
    page = request(server, "/", {**headers, "SCRIPT_NAME": "/elsewhere"}).body.decode()
    assert 'href="/accounts/login/"' in page and "/elsewhere" not in page
