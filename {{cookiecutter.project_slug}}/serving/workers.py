"""The gunicorn worker class that runs uvicorn{% if cookiecutter.interface == "asgi" %}, with this project's WebSocket limit.

uvicorn accepts WebSocket messages of up to 16 MiB by default, which a client could
use to make each worker hold that much memory per connection; this project's
consumers take small JSON messages, so anything over the limit is closed with 1009
("message too big") by uvicorn itself. daphne gets the same limit on its command
line.{% else %}, for serving/wsgi_server.py.

HTTP alone (uvicorn takes no request for another protocol: Django answers it as any
other), and no lifespan messages, which a WSGI application has no use for.{% endif %}
https://www.uvicorn.org/settings/#implementation
"""

from uvicorn_worker import UvicornWorker as BaseUvicornWorker
{%- if cookiecutter.interface == "asgi" %}

MAX_MESSAGE_BYTES = {{ cookiecutter.__websocket_max_bytes }}


class UvicornWorker(BaseUvicornWorker):
    CONFIG_KWARGS = {
        **BaseUvicornWorker.CONFIG_KWARGS,
        "ws_max_size": MAX_MESSAGE_BYTES,
    }
{%- else %}


class UvicornWorker(BaseUvicornWorker):
    CONFIG_KWARGS = {**BaseUvicornWorker.CONFIG_KWARGS, "ws": "none", "lifespan": "off"}
{%- endif %}
