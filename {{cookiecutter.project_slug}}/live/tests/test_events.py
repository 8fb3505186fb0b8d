import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client

from live import events

PASSWORD = "a-long-enough-test-password"


@pytest.fixture
def make_user(transactional_db):
    def make_user(username):
        return get_user_model().objects.create_user(username, password=PASSWORD)

    return sync_to_async(make_user)


async def open_live_socket(application, headers, client=None):
    if client is not None:
        session = client.cookies["sessionid"].value
        headers = [*headers, (b"cookie", f"sessionid={session}".encode())]
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, _ = await communicator.connect()
    return communicator, connected


async def log_in(username):
    """A client signed in as `username`, once its login event has gone out: it is sent
    in the background, as under a server, and a socket opened next must not get it."""
    client = Client()
    assert await sync_to_async(client.login)(username=username, password=PASSWORD)
    await asyncio.wait_for(asyncio.gather(*events.sending), timeout=5)
    return client


async def test_signed_in_user_sees_who_logs_in_and_out(
    application, page_headers, make_user
):
    await make_user("watcher")
    await make_user("alice")
    watcher = await log_in("watcher")
    socket, connected = await open_live_socket(application, page_headers(), watcher)
    assert connected

    alice = await log_in("alice")
    login = await socket.receive_json_from(timeout=5)
    await sync_to_async(alice.logout)()
    logout = await socket.receive_json_from(timeout=5)

    assert (login["event"], login["username"]) == ("login", "alice")
    assert (logout["event"], logout["username"]) == ("logout", "alice")
    assert await socket.receive_nothing(timeout=0.2)
    await socket.disconnect()


async def test_visitor_only_sees_that_someone_logged_in(
    application, page_headers, make_user
):
    await make_user("alice")
    socket, connected = await open_live_socket(application, page_headers())
    assert connected

    await log_in("alice")
    event = await socket.receive_json_from(timeout=5)

    assert event["event"] == "login"
    assert event["username"] is None
    await socket.disconnect()


async def test_closed_socket_leaves_the_group(application, page_headers, make_user):
    await make_user("alice")
    leaving, _ = await open_live_socket(application, page_headers())
    staying, _ = await open_live_socket(application, page_headers())
    await leaving.disconnect()

    await log_in("alice")

    assert (await staying.receive_json_from(timeout=5))["event"] == "login"
    await staying.disconnect()


async def test_websocket_from_a_foreign_origin_is_refused(application, page_headers):
    _, connected = await open_live_socket(
        application, page_headers(b"https://attacker.example")
    )

    assert not connected


class ChannelLayerThatNeverAnswers:
    """Like a Redis that accepts connections and then says nothing."""

    async def group_send(self, group, message):
        await asyncio.sleep(3600)


async def test_a_login_does_not_wait_for_the_broadcast(monkeypatch, caplog):
    monkeypatch.setattr(events, "get_channel_layer", ChannelLayerThatNeverAnswers)
    monkeypatch.setattr(events, "SEND_TIMEOUT", 2.0)
    started = time.monotonic()

    # As the login view's on_commit callback runs it: in a thread of the server.
    await sync_to_async(events.broadcast)("login", "alice")

    # A request that waited would take the send's whole timeout, on any machine.
    waited = time.monotonic() - started
    assert waited < events.SEND_TIMEOUT, "the request waited for the channel layer"
    await asyncio.wait_for(asyncio.gather(*events.sending), timeout=5)
    (record,) = caplog.records
    assert record.levelname == "WARNING" and "timed out" in record.getMessage()
    assert record.exc_info is None, "one line, no traceback"


def test_send_gives_up_after_its_timeout(monkeypatch, caplog):
    monkeypatch.setattr(events, "get_channel_layer", ChannelLayerThatNeverAnswers)
    monkeypatch.setattr(events, "SEND_TIMEOUT", 0.2)
    started = time.monotonic()

    events.send("signup", "alice")

    assert time.monotonic() - started < 2
    (record,) = caplog.records
    assert "Could not broadcast the signup of alice: timed out" in record.getMessage()


async def test_feed_closes_a_socket_that_sends_with_4003(application, page_headers):
    socket, connected = await open_live_socket(application, page_headers())
    assert connected

    await socket.send_json_to({"hello": "feed"})

    assert (await socket.receive_json_from(timeout=5))["close"] == 4003
    assert (await socket.receive_output(timeout=5))["code"] == 4003
