import importlib
import io
import re
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from config import media_settings
from config.media_storage import MediaStorage
from profiles.forms import MAX_JPEG_SCANS, MAX_PICTURE_BYTES, MAX_PICTURE_SIDE
from profiles.models import Profile
from profiles.views import replace_picture


@pytest.fixture(autouse=True)
def uploads_in_memory(settings):
    """No bucket and no disk: the test's uploads live as long as the test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def signed_in(client, db):
    user = get_user_model().objects.create_user("pat", password="a-long-test-password")
    client.force_login(user)
    return user


def image(image_format: str, size=(8, 8)) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", size, "teal").save(data, image_format)
    return data.getvalue()


def upload(client, name: str, content: bytes, content_type: str = "image/png"):
    picture = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post("/profile/", {"picture": picture}, secure=True)


def test_a_picture_is_saved_and_shown(client, signed_in):
    response = upload(client, "me.png", image("PNG"))

    assert (response.status_code, response["Location"]) == (302, "/profile/")
    profile = Profile.objects.get(user=signed_in)
    assert profile.picture.name.startswith("pictures/")
    assert "me" not in profile.picture.name, "the stored name says nothing of its user"
    page = client.get("/profile/", secure=True).content.decode()
    assert f'src="{profile.picture.url}"' in page


def test_a_new_picture_replaces_the_old_one(client, signed_in):
    upload(client, "first.png", image("PNG"))
    first = Profile.objects.get(user=signed_in).picture
    upload(client, "second.jpg", image("JPEG"), "image/jpeg")

    second = Profile.objects.get(user=signed_in).picture
    assert second.name.endswith(".jpg")
    assert not first.storage.exists(first.name)


def test_a_deleted_accounts_picture_is_deleted_too(
    client, signed_in, django_capture_on_commit_callbacks
):
    upload(client, "me.png", image("PNG"))
    picture = Profile.objects.get(user=signed_in).picture

    with django_capture_on_commit_callbacks(execute=True):
        signed_in.delete()

    assert not picture.storage.exists(picture.name)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite locks no rows")
@pytest.mark.django_db(transaction=True)
def test_overlapping_uploads_keep_only_the_last_picture():
    """A double-click's second upload waits for the first, then replaces it."""
    user = get_user_model().objects.create_user("pat")
    failed = []

    def second_upload():
        try:
            replace_picture(user, ContentFile(image("PNG"), name="second.png"))
        except Exception as error:  # noqa: BLE001 - reported by the test below
            failed.append(error)
        finally:
            connection.close()

    second = threading.Thread(target=second_upload)
    with transaction.atomic():  # the first upload, under way
        get_user_model().objects.select_for_update().get(pk=user.pk)
        second.start()
        picture = ContentFile(image("PNG"), name="first.png")
        first = Profile.objects.create(user=user, picture=picture).picture
        second.join(timeout=1)
        assert second.is_alive(), "the second upload waits for the first"
        stored = first.storage.listdir("pictures")[1]
        assert len(stored) == 2, "the second picture is in the bucket before it waits"
    second.join(timeout=10)

    assert failed == []
    assert Profile.objects.get(user=user).picture.name != first.name
    assert not first.storage.exists(first.name), "the first picture is not left behind"


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("big.png", b"", "the limit is 2 MB"),
        ("anim.gif", None, "That is a GIF image: use JPEG, PNG or WebP."),
        ("notes.png", b"not an image at all", "Upload a valid image."),
    ],
)
def test_a_bad_file_gets_a_form_error(client, signed_in, name, content, error):
    if name == "big.png":  # a real PNG, over the limit
        content = image("PNG", size=(1200, 1200)) + b"\0" * MAX_PICTURE_BYTES
    elif content is None:
        content = image("GIF")

    response = upload(client, name, content)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Profile.objects.exists()


def test_the_page_asks_visitors_to_sign_in(client, db):
    response = client.get("/profile/", secure=True)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def phone_photo() -> bytes:
    """A JPEG as a phone writes it: where it was taken (GPS), and stored on its side
    with an EXIF orientation that says to turn it a quarter clockwise to show."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Model] = "Pat's phone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 29.0)
    data = io.BytesIO()
    Image.new("RGB", (40, 20), "teal").save(data, "JPEG", exif=exif)
    return data.getvalue()


def test_a_picture_is_stored_upright_without_its_metadata(client, signed_in):
    photo = phone_photo()
    with Image.open(io.BytesIO(photo)) as sent:
        assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo), "it says where"

    upload(client, "photo.jpg", photo, "image/jpeg")

    picture = Profile.objects.get(user=signed_in).picture
    with picture.open("rb"), Image.open(picture) as stored:
        assert not stored.getexif()
        assert "exif" not in stored.info and "xmp" not in stored.info
        assert stored.format == "JPEG"
        assert stored.size == (20, 40), "turned as its orientation said"


def test_a_phones_multi_picture_photo_is_stored_as_its_first_picture(client, signed_in):
    data = io.BytesIO()
    gain_map = Image.new("RGB", (10, 5), "black")
    Image.new("RGB", (40, 20), "teal").save(
        data, "MPO", save_all=True, append_images=[gain_map]
    )
    with Image.open(data) as sent:
        assert (sent.format, sent.n_frames) == ("MPO", 2)

    response = upload(client, "photo.jpg", data.getvalue(), "image/jpeg")

    assert response.status_code == 302
    with Image.open(io.BytesIO(stored_picture(signed_in))) as stored:
        assert (stored.format, stored.size) == ("JPEG", (40, 20))
        assert getattr(stored, "n_frames", 1) == 1


def test_a_picture_of_too_many_pixels_gets_a_form_error(client, signed_in):
    # A few kilobytes of PNG, 9 million pixels once decoded.
    response = upload(client, "huge.png", image("PNG", size=(3000, 3000)))

    assert response.status_code == 200
    error = "The picture is 3000 × 3000 pixels: the limit is 4 million for a PNG."
    assert error in response.content.decode()
    assert not Profile.objects.exists()


def scan_bomb(scans: int) -> bytes:
    """A small progressive JPEG whose last scan is repeated: each repeat is decoded
    over the whole picture again."""
    data = io.BytesIO()
    Image.new("RGB", (64, 64), "teal").save(data, "JPEG", progressive=True)
    jpeg = data.getvalue().removesuffix(b"\xff\xd9")
    last_scan = jpeg[jpeg.rindex(b"\xff\xda") :]
    return jpeg + last_scan * (scans - len(re.findall(b"\xff\xda", jpeg))) + b"\xff\xd9"


def test_a_jpeg_of_too_many_scans_gets_a_form_error(client, signed_in):
    response = upload(client, "bomb.jpg", scan_bomb(MAX_JPEG_SCANS + 1), "image/jpeg")

    assert response.status_code == 200
    error = f"The picture is a JPEG of {MAX_JPEG_SCANS + 1} scans: the limit is"
    assert error in response.content.decode()
    assert not Profile.objects.exists()


def test_a_progressive_jpeg_of_a_cameras_scans_is_kept(client, signed_in):
    response = upload(client, "photo.jpg", scan_bomb(MAX_JPEG_SCANS), "image/jpeg")

    assert response.status_code == 302
    assert Profile.objects.get(user=signed_in).picture.name.endswith(".jpg")


def stored_picture(user):
    picture = Profile.objects.get(user=user).picture
    with picture.open("rb"):
        return picture.read()


def test_a_picture_keeps_no_comment_text_or_color_profile(client, signed_in):
    """Beside EXIF: a JPEG's comment, a PNG's text and a color profile (which can
    name the device it was made for) are not kept."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    jpeg = io.BytesIO()
    Image.new("RGB", (40, 20), "teal").save(
        jpeg, "JPEG", comment=b"Pat, at home", icc_profile=profile
    )
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Pat, at home")
    png = io.BytesIO()
    Image.new("RGB", (40, 20), "teal").save(
        png, "PNG", pnginfo=text, icc_profile=profile
    )

    for name, content, kind in (
        ("photo.jpg", jpeg.getvalue(), "image/jpeg"),
        ("drawing.png", png.getvalue(), "image/png"),
    ):
        upload(client, name, content, kind)
        stored = stored_picture(signed_in)
        assert b"Pat" not in stored, name
        with Image.open(io.BytesIO(stored)) as picture:
            assert not set(picture.info) & {"comment", "icc_profile", "Author"}, name


def test_a_large_picture_is_kept_at_most_its_side_limit(client, signed_in):
    upload(client, "wide.jpg", image("JPEG", size=(4000, 1000)), "image/jpeg")

    with Image.open(io.BytesIO(stored_picture(signed_in))) as picture:
        assert picture.size == (MAX_PICTURE_SIDE, MAX_PICTURE_SIDE // 4)


def test_a_bucket_that_hangs_fails_an_upload_before_the_router_gives_up(monkeypatch):
    """botocore's defaults wait 60 s a try, five tries, holding a web thread."""
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "pictures")
    options = importlib.reload(media_settings).MEDIA_STORAGE["OPTIONS"]
    monkeypatch.undo()
    importlib.reload(media_settings)

    config = MediaStorage(**options).connection.meta.client.meta.config

    tries = (config.retries or {}).get("total_max_attempts", 5)  # botocore's default
    assert (config.connect_timeout + config.read_timeout) * tries < 30
    assert config.signature_version == "s3v4"
