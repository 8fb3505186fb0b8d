"""HTTP requests sent to the handler their view is written for.

A coroutine view (`async def`, or a class-based view whose handlers are async) goes
to Django's ASGI handler, which awaits it on the event loop: many can wait on I/O at
once without holding a thread, and a streaming response sends each chunk as it is
produced. Everything else (sync views, and paths no view matches: 404s, redirects)
goes to the WSGI bridge, one thread hop per request, which serves sync pages several
times faster than Django's ASGI handler: that handler runs each sync middleware, all
of Django's own, through a thread hop of its own.
https://docs.djangoproject.com/en/stable/topics/async/#async-views

The view is found with ROOT_URLCONF, in the language a language-prefixed path names
(i18n_patterns). Both handlers run the whole of Django, URL resolution included, so
the choice changes only how a request waits, never what it gets: a middleware that
sets request.urlconf to other views still has them served, by the bridge.
"""

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.urls import get_resolver
from django.utils import translation


class ViewTypeRouter:
    """ASGI application: coroutine views to `async_application`, the rest to
    `sync_application`; `async_paths` go to `async_application` whatever their view."""

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
    # Under i18n_patterns, the language prefix of the path is the one that matches.
    language = None
    if is_language_prefix_patterns_used(urlconf)[0]:
        language = translation.get_language_from_path(path)
    try:
        with translation.override(language or settings.LANGUAGE_CODE):
            match = get_resolver(urlconf).resolve(path)
    except Exception:  # no view (a 404), or one Django will report an error for
        return False  # the bridge resolves it again and answers as usual
    return iscoroutinefunction(match.func)
