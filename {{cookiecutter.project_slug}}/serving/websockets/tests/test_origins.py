import pytest

from serving.websockets.origins import allowed


def handshake(
    origin: str | None, host: str = "app.herokuapp.com", proto: str = "https"
):
    """The scope of a WebSocket that a page of `origin` opened to `host`, through the
    platform's router."""
    headers = [(b"host", host.encode()), (b"x-forwarded-proto", proto.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {"type": "websocket", "scheme": "ws", "headers": headers}


@pytest.fixture(autouse=True)
def heroku_hosts(settings):
    """A Heroku app's DJANGO_ALLOWED_HOSTS: every *.herokuapp.com name."""
    settings.ALLOWED_HOSTS = [".herokuapp.com"]
    settings.CSRF_TRUSTED_ORIGINS = []


def test_a_page_of_the_site_itself_is_let_in():
    assert allowed(handshake("https://app.herokuapp.com"))


@pytest.mark.parametrize(
    "origin",
    [
        "https://other-app.herokuapp.com",  # another app that ALLOWED_HOSTS lets in
        "http://app.herokuapp.com",  # the same host over plain HTTP
        "https://app.herokuapp.com:8443",  # another port
        "https://app.herokuapp.com.attacker.example",
        "null",  # a sandboxed frame or a file:// page
        None,  # no Origin at all: not a browser's page
    ],
)
def test_any_other_origin_is_refused(origin):
    assert not allowed(handshake(origin))


def test_a_host_that_allowed_hosts_does_not_name_is_refused():
    assert not allowed(handshake("https://attacker.example", host="attacker.example"))


def test_over_plain_http_the_origin_is_http():
    assert allowed(handshake("http://app.herokuapp.com", proto="http"))
    assert not allowed(handshake("https://app.herokuapp.com", proto="http"))


@pytest.mark.parametrize(
    ("origin", "let_in"),
    [
        ("https://www.example.com", True),
        ("https://shop.example.org", True),  # a subdomain of the wildcard's
        ("https://example.org", True),  # and its domain itself
        ("http://shop.example.org", False),  # another scheme
        ("https://shop.example.org:8443", False),  # another port
        ("https://example.org.attacker.example", False),
        ("https://attackerexample.org", False),
    ],
)
def test_csrf_trusted_origins_let_in_what_they_let_post_forms(settings, origin, let_in):
    settings.CSRF_TRUSTED_ORIGINS = ["https://www.example.com", "https://*.example.org"]

    assert allowed(handshake(origin)) == let_in


def test_a_wildcard_written_in_capitals_lets_in_what_it_lets_post_forms(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.Example.ORG"]

    assert allowed(handshake("https://shop.example.org"))


def test_an_underscored_header_does_not_pass_for_the_routers():
    scope = handshake("https://app.herokuapp.com", proto="http")
    scope["headers"].append((b"x_forwarded_proto", b"https"))

    assert not allowed(scope)
