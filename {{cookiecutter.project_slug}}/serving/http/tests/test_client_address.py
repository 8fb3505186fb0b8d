import asyncio

import pytest

from serving.http.headers import ClientAddress

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


@pytest.mark.parametrize("kind", SCOPE_TYPES)
@pytest.mark.parametrize("value, address", HEADER_VALUES)
def test_the_client_is_the_routers_last_entry(value, address, kind, settings):
    headers = [(b"host", b"example.com")]
    if value is not None:
        header = settings.CLIENT_ADDRESS_HEADER.lower().encode()
        headers.append((header, value.encode()))
    scope = {"type": kind, "client": (PEER, 51234), "headers": headers}
    seen = []

    async def application(scope, receive, send):
        seen.append(scope["client"][0])

    asyncio.run(ClientAddress(application)(scope, None, None))

    assert seen == [address]
