import re
from pathlib import Path

import pytest
from django.shortcuts import render
from django.urls import path


def inline_script(request):
    return render(request, "inline_script.html")


urlpatterns = [path("inline/", inline_script)]


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/", secure=True)

    directives = response["Content-Security-Policy"].split(";")
    policy = {name: values for name, *values in map(str.split, directives)}
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == policy["base-uri"] == ["'none'"]
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_an_inline_script_runs_with_the_requests_nonce(client, settings):
    settings.ROOT_URLCONF = __name__
    (engine,) = settings.TEMPLATES
    settings.TEMPLATES = [{**engine, "DIRS": [Path(__file__).parent / "templates"]}]

    response = client.get("/inline/", secure=True)

    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    script_src = re.search(r"script-src ([^;]+)", response["Content-Security-Policy"])
    assert f"'nonce-{nonce}'" in script_src.group(1).split()


@pytest.mark.django_db
def test_djangos_debug_pages_carry_no_policy(client, settings):
    """Their inline styles and scripts carry no nonce."""
    settings.DEBUG = True

    response = client.get("/no-such-page/", secure=True)

    assert response.status_code == 404 and b"Page not found at" in response.content
    assert "Content-Security-Policy" not in response
