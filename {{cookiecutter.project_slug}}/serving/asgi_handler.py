"""Django's ASGI handler, lending each request a thread that earlier requests left idle.

Django runs a request's sync parts (its own middleware, the request signals, an async
view's ORM queries) on a thread of the request's own, so that they share one database
connection and one set of thread-locals; asgiref starts that thread for the request,
and starts another to wait for it once the request ends. This handler takes the
thread from a list of idle ones instead, and puts it back when the request is done,
through asgiref's ThreadSensitiveContext(executor=...), which exists for such pools:
a request still has a thread to itself from its start to its end, as Django expects.
https://github.com/django/asgiref#thread-sensitive-contexts
"""

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext
from django.core.handlers.asgi import ASGIHandler as DjangoASGIHandler

# Idle threads kept for later requests: as many as the process has had requests at
# once, up to this many (an idle thread holds little but its stack). A busier moment
# starts more, as Django would, and lets those beyond this many go once it has passed.
IDLE_THREADS = 512


class ASGIHandler(DjangoASGIHandler):
    def __init__(self):
        super().__init__()
        # Taken and given back on the event loop only: no lock needed.
        self.idle_threads: list[ThreadPoolExecutor] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":  # Django's own error
            return await super().__call__(scope, receive, send)
        if self.idle_threads:
            thread = self.idle_threads.pop()
        else:
            thread = ThreadPoolExecutor(1, thread_name_prefix="asgi-request")
        try:
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        except BaseException:
            thread.shutdown(wait=False)  # it may still be running what the request left
            raise
        # Django's last step was a sync call on this thread (response.close(), or the
        # request_finished signal), awaited: nothing of the request is left on it.
        if len(self.idle_threads) < IDLE_THREADS:
            self.idle_threads.append(thread)
        else:
            thread.shutdown(wait=False)
