from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver
{%- if cookiecutter.background_worker != "none" %}

from welcome.tasks import user_welcomed
{%- endif %}

from . import events


@receiver(user_logged_in)
def announce_login(sender, request, user, **kwargs):
    username = user.get_username()
    # After the commit, so that no page hears of a login that was rolled back.
    transaction.on_commit(lambda: events.broadcast("login", username))


@receiver(user_logged_out)
def announce_logout(sender, request, user, **kwargs):
    if user is not None:  # logging out without a session sends user=None
        username = user.get_username()
        transaction.on_commit(lambda: events.broadcast("logout", username))
{%- if cookiecutter.background_worker != "none" %}


@receiver(user_welcomed)
def announce_signup(sender, user, **kwargs):
    # Runs in the worker process, a second producer of events beside the web's,
    # where no server's event loop would carry a broadcast: send and wait.
    events.send("signup", user.get_username())
{%- endif %}
