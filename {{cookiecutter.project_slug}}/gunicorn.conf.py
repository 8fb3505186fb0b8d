"""gunicorn settings, read by the web command in {% if cookiecutter.platform == "heroku" %}Procfile{% else %}.do/app.yaml{% endif %}.

Command-line flags and GUNICORN_CMD_ARGS take precedence over this file.
https://docs.gunicorn.org/en/stable/settings.html
"""
{%- if cookiecutter.__runs_web_concurrency %}

import os
{%- endif %}

# gunicorn binds 0.0.0.0:$PORT by itself whenever PORT is set, and the platform
# sets PORT for the web process, so there is no `bind` here.
{%- if not cookiecutter.__runs_web_concurrency %}

# Exactly one worker: the in-memory channel layer lives inside one process, so a
# message sent in one worker would never reach WebSockets held by another.
# Switch to the Redis layer before raising this (see README.md).
workers = 1
{%- else %}

# {% if cookiecutter.platform == "heroku" %}Heroku sets WEB_CONCURRENCY from the dyno's memory (2 on basic and
# standard-1x dynos).{% else %}.do/app.yaml sets WEB_CONCURRENCY: App Platform does not size it for you.{% endif %}
workers = int(os.environ.get("WEB_CONCURRENCY", 2))
{%- endif %}
{%- if cookiecutter.interface == "wsgi" %}

# Each uvicorn worker reads requests on an event loop, where a client that sends
# slowly holds no thread, then runs config/wsgi.py's Django on WEB_THREADS threads:
# gunicorn's threads would each wait on a slow client, as gunicorn's own deploy
# guide warns (https://docs.gunicorn.org/en/stable/deploy.html).
{%- else %}

# Each uvicorn worker runs config/asgi.py's application on an event loop, WebSockets
# included: uvicorn-worker's class, with this project's limits.
{%- endif %}
worker_class = "serving.http.workers.UvicornWorker"

# The master loads the application once, before it starts the workers: a setting the
# app cannot run with stops it there, with its one sentence,
# instead of in every worker at once. The workers share the loaded code's memory.
preload_app = True

# Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel spreads new
# connections over them. On one shared socket, whichever worker wakes first accepts:
# one can take all of the router's keep-alive connections while the other idles.
# Heroku's own gunicorn.conf.py sets it too:
# https://github.com/heroku/python-getting-started/blob/main/gunicorn.conf.py
reuse_port = True


def on_starting(server):
    """With reuse_port the master binds no socket, each worker binds its own once
    forked, and gunicorn's start line lists the master's: "Listening at:  (PID)"
    (gunicorn/arbiter.py). Name the address the workers bind in it instead."""
    bound = ",".join(
        "http://{}:{}".format(*address) if isinstance(address, tuple) else str(address)
        for address in server.cfg.address
    )

    def name_the_address(record):
        if record.msg == "Listening at: %s (%s)" and not record.args[0]:
            record.args = (bound, *record.args[1:])
        return True

    server.log.error_log.addFilter(name_the_address)


# The heartbeat file lives in memory: on a container's overlay disk its writes can
# stall and get healthy workers killed.
worker_tmp_dir = "/dev/shm"

# No control socket: the platform starts, scales and restarts the processes, so nothing
# uses gunicornc, which gunicorn 25.1 and later would serve from $HOME/.gunicorn/ to
# any process of the app's user. https://gunicorn.org/guides/gunicornc
control_socket_disable = True

# Seconds a worker may go without telling the master it is alive before the master
# kills and replaces it. A uvicorn worker tells it from its event loop: a loop blocked
{% if cookiecutter.interface == "asgi" -%}
# that long (a blocking call in an async view) gets the worker replaced, with every
# request and WebSocket it serves; a sync view holding one of its threads, or an async
# view awaiting, does not (README.md, Configuration, says what ends a slow request).
{% else -%}
# that long gets the worker replaced, with every request it serves; a sync view
# holding one of its threads does not (README.md, Configuration, says what ends a slow
# request).
{% endif -%}
timeout = {{ 20 if cookiecutter.platform == "heroku" else 30 }}
{%- if cookiecutter.platform == "heroku" %}
# On shutdown a dyno gets SIGTERM and, 30 seconds later, SIGKILL: finish in-flight
# requests before that.
# https://devcenter.heroku.com/articles/dyno-shutdown-behavior
graceful_timeout = 20
# Router 2.0 keeps idle connections to the dyno open for 90 seconds; stay open
# longer so it never reuses a connection gunicorn has just closed.
keepalive = 95
{%- else %}
# App Platform stops sending an instance new requests, waits the spec's
# `termination.drain_seconds`, sends SIGTERM and kills the instance
# `grace_period_seconds` later (.do/app.yaml): finish in-flight requests before that.
# https://docs.digitalocean.com/products/app-platform/reference/app-spec/
graceful_timeout = 20
{%- endif %}

# Trust no peer's forwarded headers, whatever FORWARDED_ALLOW_IPS says (the Python
# buildpack sets it to "*"). The project reads the router's own: X-Forwarded-Proto
# through SECURE_PROXY_SSL_HEADER and the visitor's address through
# CLIENT_ADDRESS_HEADER (config/settings.py). Trusting the router, uvicorn would take
# the first X-Forwarded-For entry, which the client wrote, and gunicorn would take
# environ entries such as SCRIPT_NAME from request headers.
forwarded_allow_ips = ""

# Access logs go to stdout, where the platform collects them.
accesslog = "-"
