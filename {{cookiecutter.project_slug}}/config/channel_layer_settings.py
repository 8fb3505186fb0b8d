"""The channel layer, which carries group messages between WebSocket connections;
config/settings.py takes it in whole.
https://channels.readthedocs.io/en/stable/topics/channel_layers.html
"""
{%- if cookiecutter.channel_layer == "in-memory" %}

# It reaches only the WebSockets of its own process, which is why the web process runs
# as one process on one {{ cookiecutter.__unit }} (README.md).
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
{%- else %}
{%- if cookiecutter.channel_layer == "redis-pubsub" %}

from urllib.parse import urlsplit
{%- endif %}

from serving.environment import flag, redis_url

# Heroku Key-Value Store or App Platform's managed Valkey.
REDIS_URL = redis_url("REDIS_URL")
# Through Redis between processes and {{ cookiecutter.__unit }}s. Locally, without REDIS_URL, DEBUG uses
# an in-memory layer, enough for runserver's one process.
if REDIS_URL:
    redis_host = {
        "address": REDIS_URL,
{%- if cookiecutter.channel_layer == "redis" %}
        # A Redis that never answers fails a read after 10 s, so open WebSockets
        # reconnect; longer than the layer's own 5 s blocking reads, which a shorter
        # one would cut off.
{%- else %}
        # A Redis that never answers fails a command after 10 s. A subscribed
        # connection sends nothing while it waits: idle sockets cost no commands.
        # https://github.com/django/channels_redis/blob/4.3.0/channels_redis/pubsub.py
{%- endif %}
        "socket_timeout": 10,
        # A Redis that is not there is given up on at once, and a connection that
        # the network dropped is found out before it is used.
        "socket_connect_timeout": 2,
        "socket_keepalive": True,
        "health_check_interval": 30,
    }
{%- if cookiecutter.platform == "heroku" %}
    if REDIS_URL.startswith("rediss://"):
        # Heroku Key-Value Store only speaks TLS, with a self-signed certificate.
        redis_host["ssl_cert_reqs"] = None
{%- else %}
    # The managed Valkey's rediss:// certificate is publicly trusted: verified.
{%- endif %}
{%- if cookiecutter.channel_layer == "redis-pubsub" %}
    redis_database = urlsplit(REDIS_URL).path.strip("/") or "0"
{%- endif %}
    CHANNEL_LAYERS = {
        "default": {
{%- if cookiecutter.channel_layer == "redis" %}
            # channels_redis's RedisChannelLayer, with a lost-message race closed.
            "BACKEND": "serving.websockets.channel_layer.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_host]},
{%- else %}
            # channels_redis's RedisPubSubChannelLayer, naming a Redis away's errors.
            "BACKEND": "serving.websockets.channel_layer.RedisPubSubChannelLayer",
            # Pub/Sub ignores Redis database numbers: the prefix names the database,
            # so apps on other databases of a shared Redis stay apart.
            "CONFIG": {"hosts": [redis_host], "prefix": f"asgi-db{redis_database}"},
{%- endif %}
        }
    }
elif flag("DJANGO_DEBUG"):
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
{%- endif %}
