"""Security headers that Django's SecurityMiddleware does not add.

Both come before WhiteNoise in settings.SECURITY_HEADERS_MIDDLEWARE, so
static files carry the headers too.
"""

from asgiref.sync import iscoroutinefunction
{%- if cookiecutter.django_version != "5.2" %}
from django.conf import settings
from django.middleware import csp
{%- endif %}
from django.utils.decorators import sync_and_async_middleware

# Other sites' pages may not load this site's responses as resources of their own
# (serving/early_answers.py, which gives it to the answers made before this runs).
from serving.early_answers import CROSS_ORIGIN_RESOURCE_POLICY


def add_cross_origin_resource_policy(response):
    response.headers.setdefault(
        "Cross-Origin-Resource-Policy", CROSS_ORIGIN_RESOURCE_POLICY
    )
    return response


@sync_and_async_middleware
def cross_origin_resource_policy(get_response):
    """Cross-Origin-Resource-Policy on every response that does not set its own, in
    whichever mode the handler runs it: no thread hop in either."""
    if iscoroutinefunction(get_response):

        async def middleware(request):
            return add_cross_origin_resource_policy(await get_response(request))

    else:

        def middleware(request):
            return add_cross_origin_resource_policy(get_response(request))

    return middleware
{%- if cookiecutter.django_version != "5.2" %}


class ContentSecurityPolicyMiddleware(csp.ContentSecurityPolicyMiddleware):
    """Django's, but for its own debug pages (a 404 or 500 with DEBUG on), whose
    inline styles and scripts carry no nonce: they would show unstyled, with their
    buttons dead. django-csp leaves them out the same way."""

    def process_response(self, request, response):
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        return super().process_response(request, response)
{%- endif %}
