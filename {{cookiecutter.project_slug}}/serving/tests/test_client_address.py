import asyncio

import pytest

from serving.client_address import (
    ASGI_NAME,
    WSGI_KEY,
    ASGIClientAddress,
    WSGIClientAddress,
)

PEER = "10.1.2.3"  # the router, as a server sees it
# The ASGI scopes a client's request opens.
{%- if cookiecutter.interface == "asgi" %}
SCOPE_TYPES = ["http", "websocket"]
{%- else %}
SCOPE_TYPES = ["http"]
{%- endif %}
HEADER_VALUES = [
    (None, PEER),
    ("203.0.113.7", "203.0.113.7"),
    ("6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's entry, then the router's
    ("6.6.6.6,6.6.6.7,203.0.113.7", "203.0.113.7"),
]


@pytest.mark.parametrize("value, address", HEADER_VALUES)
def test_wsgi_remote_addr_is_the_last_entry(value, address):
    environ = {"REMOTE_ADDR": PEER}
    if value is not None:
        environ[WSGI_KEY] = value
    seen = []

    def application(environ, start_response):
        seen.append(environ["REMOTE_ADDR"])
        return []

    WSGIClientAddress(application)(environ, None)

    assert seen == [address]


@pytest.mark.parametrize("kind", SCOPE_TYPES)
@pytest.mark.parametrize("value, address", HEADER_VALUES)
def test_asgi_client_is_the_last_entry(value, address, kind):
    headers = [(b"host", b"example.com")]
    if value is not None:
        headers.append((ASGI_NAME, value.encode()))
    scope = {"type": kind, "client": (PEER, 51234), "headers": headers}
    seen = []

    async def application(scope, receive, send):
        seen.append(scope["client"][0])

    asyncio.run(ASGIClientAddress(application)(scope, None, None))

    assert seen == [address]
