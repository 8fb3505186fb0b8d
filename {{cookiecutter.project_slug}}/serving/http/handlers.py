"""Coroutine views to Django's ASGI handler; the rest to the bridge, saving a thread hop
per sync middleware. https://docs.djangoproject.com/en/stable/topics/async/"""

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, iscoroutinefunction
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.handlers.asgi import ASGIHandler
from django.db import connections
from django.urls import get_resolver
from django.utils import translation

# Threads of a process's coroutine views, past which requests share one: a basic dyno
# runs at most 256 processes and threads.
# https://devcenter.heroku.com/articles/limits#processes-threads
REQUEST_THREADS = 64


class ViewTypeRouter:
    """Coroutine views and `async_paths` to `async_application`, the rest to sync."""

    def __init__(self, sync_application, async_application, async_paths=()):
        self.sync_application = sync_application
        self.async_application = async_application
        self.async_paths = frozenset(async_paths)

    async def __call__(self, scope, receive, send):
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        if path in self.async_paths or has_coroutine_view(path):
            return await self.async_application(scope, receive, send)
        return await self.sync_application(scope, receive, send)


def has_coroutine_view(path: str) -> bool:
    urlconf = settings.ROOT_URLCONF
    language = None  # under i18n_patterns, the path's own language prefix
    if is_language_prefix_patterns_used(urlconf)[0]:
        language = translation.get_language_from_path(path)
    try:
        with translation.override(language or settings.LANGUAGE_CODE):
            match = get_resolver(urlconf).resolve(path)
    except Exception:  # no view, or a broken one: the bridge answers as Django does
        return False
    return iscoroutinefunction(match.func)


class RequestThread(ThreadPoolExecutor):
    """A request's thread; its connections go back to the pool between calls."""

    def __init__(self):
        super().__init__(1, thread_name_prefix="asgi-request")

    def submit(self, function, /, *args, **kwargs):
        return super().submit(released_after, function, *args, **kwargs)


def released_after(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    finally:
        for connection in connections.all(initialized_only=True):
            if not connection.in_atomic_block:
                connection.close()  # with CONN_MAX_AGE 0: back to the pool


class AsyncViews(ASGIHandler):
    """Django's ASGI handler, lending each request one of REQUEST_THREADS threads, or
    past them a shared one: Django starts a thread per request, without limit.
    `own_thread_paths` (the probes) share one of their own, never behind slow views."""

    def __init__(self, own_thread_paths=()):
        super().__init__()
        self.idle_threads: list[RequestThread] = []  # used on the event loop only
        self.threads = 0
        self.shared_thread = RequestThread()
        self.own_thread_paths = frozenset(own_thread_paths)
        self.paths_thread = RequestThread()

    def lend(self, path: str) -> RequestThread:
        if path in self.own_thread_paths:
            return self.paths_thread
        if self.idle_threads:
            return self.idle_threads.pop()
        if self.threads < REQUEST_THREADS:
            self.threads += 1
            return RequestThread()
        return self.shared_thread

    async def handle(self, scope, receive, send):
        thread = self.lend(scope["path"])
        own = thread not in (self.shared_thread, self.paths_thread)
        try:
            async with ThreadSensitiveContext(executor=thread):
                await super().handle(scope, receive, send)
        except BaseException:
            if own:
                thread.shutdown(wait=False)  # it may still run what the request left
                self.threads -= 1
            raise
        if own:
            self.idle_threads.append(thread)
