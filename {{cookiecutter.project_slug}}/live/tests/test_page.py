import pytest


@pytest.mark.django_db
def test_live_page_waits_for_events_with_an_empty_state(client):
    response = client.get("/live/", secure=True)

    assert response.status_code == 200
    assert b'id="live-events"' in response.content
    assert b'aria-live="polite"' in response.content
    assert b"Nobody has logged in or out since you opened this page" in response.content
    assert b"Log in to see who it is" in response.content


@pytest.mark.django_db
def test_navigation_links_to_the_live_page(client):
    response = client.get("/", secure=True)

    assert b'href="/live/"' in response.content
