from django import template

from serving import mail

register = template.Library()


@register.simple_tag
def mail_is_set_up() -> bool:
    """Whether the site sends mail (EMAIL_URL is set, or DEBUG prints it)."""
    return mail.is_set_up()
