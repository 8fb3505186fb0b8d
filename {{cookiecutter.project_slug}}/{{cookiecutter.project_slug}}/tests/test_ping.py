import pytest
from channels.testing import WebsocketCommunicator


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_ping_round_trip_through_the_channel_layer(application):
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", b"https://testserver")]
    )
    connected, _ = await communicator.connect()
    assert connected

    await communicator.send_json_to({"ping": 42})

    assert await communicator.receive_json_from(timeout=5) == {"pong": 42}
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_websocket_from_a_foreign_origin_is_refused(application):
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", b"https://attacker.example")]
    )

    connected, _ = await communicator.connect()

    assert not connected
