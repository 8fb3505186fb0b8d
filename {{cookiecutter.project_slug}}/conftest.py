import pytest


@pytest.fixture(autouse=True)
def unhashed_static_files(settings):
    """Serve static files by name: the manifest of hashed names exists only after
    `collectstatic`, which the buildpack runs on deploy but tests do not."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
