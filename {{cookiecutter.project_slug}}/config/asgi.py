"""The ASGI application that the web command serves: HTTP and WebSockets, with
serving's parts around Django (serving/README.md).
https://docs.djangoproject.com/en/stable/howto/deployment/asgi/
"""

import os

from serving import asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = asgi_application(websocket_urlconf="config.routing")
