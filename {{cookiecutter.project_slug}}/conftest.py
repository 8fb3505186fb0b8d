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


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create and log in users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
