from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def mail_is_set_up() -> bool:
    """Whether the site sends mail (EMAIL_URL is set, or DEBUG prints it)."""
    return settings.EMAIL_TRANSPORT is not None
