"""The visitor's address, as the platform's router saw it, for REMOTE_ADDR.

Every request reaches the web process through the platform's router, so the peer a
server sees is the router, the same for every visitor.
{%- if cookiecutter.platform == "heroku" %}
Heroku's router appends the address it received the connection from to
X-Forwarded-For; whatever comes before it is what the client sent, which can be
anything: https://devcenter.heroku.com/articles/http-routing#heroku-headers
{%- else %}
App Platform's edge puts the address the visitor connected from in DO-Connecting-IP;
its X-Forwarded-For holds the address of App Platform's own ingress instead:
https://docs.digitalocean.com/support/where-can-i-find-the-client-ip-address-of-a-request-connecting-to-my-app/
{%- endif %}


So REMOTE_ADDR, and the ASGI scope's `client`{% if cookiecutter.interface == "asgi" %} (which Channels consumers read){% endif %}, is the
last entry of that header, the one the platform wrote, never one a client put before
it. A request without the header (a probe from inside the platform, `manage.py
runserver`) keeps its peer's address. The servers' own handling of forwarded headers
is off ({% if cookiecutter.interface == "asgi" %}daphne's --proxy-headers and {% endif %}uvicorn's would take the first entry):
this module is the one place that reads the header.
"""

HEADER = "{{ cookiecutter.__client_address_header }}"
WSGI_KEY = "HTTP_" + HEADER.upper().replace("-", "_")
ASGI_NAME = HEADER.lower().encode("latin-1")


def last_entry(value: str) -> str:
    """The last address in a comma-separated header value ("" if it has none)."""
    return value.rpartition(",")[2].strip()


class WSGIClientAddress:
    """Sets REMOTE_ADDR for the WSGI application it wraps."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        # A WSGI server joins repeated header lines with commas.
        if address := last_entry(environ.get(WSGI_KEY, "")):
            environ["REMOTE_ADDR"] = address
        return self.application(environ, start_response)


class ASGIClientAddress:
    """Sets the scope's `client` for the ASGI application it wraps, in every scope a
    client's request opens (not the server's lifespan messages):
{%- if cookiecutter.interface == "asgi" %} serving/wsgi_bridge.py
    and Django's ASGI handler take REMOTE_ADDR from it, Channels' consumers read it."""
{%- else %} serving/wsgi_bridge.py
    takes REMOTE_ADDR from it."""
{%- endif %}

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "lifespan":
            values = [value for name, value in scope["headers"] if name == ASGI_NAME]
            if values and (address := last_entry(values[-1].decode("latin-1"))):
                # The visitor's port is unknown: 0, as daphne and uvicorn give it
                # when they take the address from a header.
                scope = {**scope, "client": (address, 0)}
        return await self.application(scope, receive, send)
