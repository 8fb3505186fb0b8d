import pytest
from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer
from channels.testing import WebsocketCommunicator


@pytest.mark.django_db(transaction=True)
async def test_ping_round_trip_through_the_channel_layer(application, page_headers):
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=page_headers()
    )
    connected, _ = await communicator.connect()
    assert connected

    await communicator.send_json_to({"ping": 42})

    assert await communicator.receive_json_from(timeout=5) == {"pong": 42}
    await communicator.disconnect()


async def test_websocket_from_a_foreign_origin_is_refused(application, page_headers):
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=page_headers(b"https://attacker.example")
    )

    connected, _ = await communicator.connect()

    assert not connected


async def answer_to(application, headers, frame: dict) -> tuple[dict, dict]:
    """(the JSON answered to one frame, the close that follows)"""
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_input({"type": "websocket.receive", **frame})
    answer = await communicator.receive_json_from(timeout=5)
    closing = await communicator.receive_output(timeout=5)
    # As a server does once the close handshake is over (Channels then closes the
    # database connections the consumer's thread used: hence django_db).
    await communicator.disconnect(code=closing.get("code", 1000))
    return answer, closing


@pytest.mark.django_db(transaction=True)
async def test_binary_frame_is_answered_and_closed_with_4003(application, page_headers):
    answer, closing = await answer_to(
        application, page_headers(), {"bytes": b"\x00\x01"}
    )

    assert answer["close"] == 4003 and "binary" in answer["error"]
    assert (closing["type"], closing["code"]) == ("websocket.close", 4003)


@pytest.mark.django_db(transaction=True)
# NaN and Infinity, which Python's json reads, and echoed would fail a browser's parse.
@pytest.mark.parametrize("text", ["ping", '{"ping": NaN}', '{"ping": 1e999}'])
async def test_text_that_is_not_json_is_answered_and_closed_with_4007(
    application, page_headers, text
):
    answer, closing = await answer_to(application, page_headers(), {"text": text})

    assert answer["close"] == 4007 and "not JSON" in answer["error"]
    assert closing["code"] == 4007


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("levels", [101, 1_200, 100_000])  # 1,200: JSON, not msgpack
async def test_json_nested_too_deep_is_answered_and_closed_with_4007(
    application, page_headers, levels
):
    deep = "[" * levels + "]" * levels
    answer, closing = await answer_to(application, page_headers(), {"text": deep})

    assert answer["close"] == 4007 and "too deep" in answer["error"]
    assert closing["code"] == 4007


@pytest.mark.django_db(transaction=True)
async def test_json_of_the_wrong_shape_gets_an_error_and_the_socket_stays(
    application, page_headers
):
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=page_headers()
    )
    await communicator.connect()

    await communicator.send_json_to([1, 2])
    assert "error" in await communicator.receive_json_from(timeout=5)
    await communicator.send_json_to({"ping": "again"})
    assert await communicator.receive_json_from(timeout=5) == {"pong": "again"}
    await communicator.disconnect()


class FullLayer(InMemoryChannelLayer):
    """The in-memory layer as a flood of pings leaves it: every send finds it full."""

    async def send(self, channel, message):
        raise ChannelFull(channel)


@pytest.mark.django_db(transaction=True)
async def test_a_full_channel_layer_closes_the_socket_with_4013(
    application, page_headers, settings, caplog
):
    """One client's flood fills its process's inbox: the others' pings then find the
    layer full, and are told to try again later, with no traceback."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": f"{__name__}.FullLayer"}}
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=page_headers()
    )
    await communicator.connect()

    await communicator.send_json_to({"ping": 1})
    closing = await communicator.receive_output(timeout=5)
    await communicator.wait()

    assert closing == {"type": "websocket.close", "code": 4013}
    assert [record.levelname for record in caplog.records] == ["WARNING"]


class SlowLayer(InMemoryChannelLayer):
    """The in-memory layer, its messages not delivered yet: each send is counted."""

    sent = 0

    async def send(self, channel, message):
        SlowLayer.sent += 1


@pytest.mark.django_db(transaction=True)
async def test_a_socket_has_one_ping_at_a_time_in_the_layer(
    application, page_headers, settings
):
    """A process's sockets share its inbox: one client's flood must not fill it."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": f"{__name__}.SlowLayer"}}
    SlowLayer.sent = 0
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=page_headers()
    )
    await communicator.connect()

    for ping in range(3):
        await communicator.send_json_to({"ping": ping})
    answers = [await communicator.receive_json_from(timeout=5) for _ in range(2)]

    assert SlowLayer.sent == 1
    assert answers == [{"error": "wait for the pong before the next ping"}] * 2
    await communicator.disconnect()


async def test_a_path_no_route_takes_is_refused(application, page_headers):
    communicator = WebsocketCommunicator(
        application, "/ws/nothing-here/", headers=page_headers()
    )

    connected, code = await communicator.connect()

    assert (connected, code) == (False, 1000)
