"""Media tier: uploads through the real form land in an S3 bucket, on the suite's
own S3-compatible server (moto's, tests/support/object_store.py), never on the disk.

For every runtime group with uploads, the project's web command runs with the
environment its manifests ask for, the bucket variables pointing at that server (the
group's bucket created by the test). A signed-in visitor uploads a phone's photo over
HTTP with CSRF: exactly one new object appears in the bucket, upright and without
its EXIF (GPS) data, the profile page shows it through a signed URL that returns
that object, a file that is too big or of the wrong kind gets a form error and adds
nothing, and the project directory holds no uploaded file.
"""

import html
import io
import re
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from combinations import runtime_key, short_hash
from visitors import Visitor

PASSWORD = "media-password-that-is-not-secret"
IMG_SRC = re.compile(r'<img id="picture" src="([^"]+)"')


def image(image_format: str, size=(16, 16)) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", size, "orange").save(data, image_format)
    return data.getvalue()


def phone_photo() -> bytes:
    """A JPEG as a phone writes it: where it was taken (GPS), and stored on its side
    with an EXIF orientation that says to turn it a quarter clockwise to show."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 29.0)
    data = io.BytesIO()
    Image.new("RGB", (40, 20), "orange").save(data, "JPEG", exif=exif)
    return data.getvalue()


def files_under(directory: Path) -> set[Path]:
    return {
        path.relative_to(directory)
        for path in directory.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.mark.only(media_storage="s3")
def test_an_upload_lands_in_the_bucket_and_comes_back_signed(
    start_web, create_users, s3_server, bucket, deployed_project, runtime_answers
):
    port = start_web()
    name = f"pic-{short_hash(runtime_key(runtime_answers))[:6]}"
    create_users([name], PASSWORD)
    visitor = Visitor(port)
    visitor.log_in(name, PASSWORD)
    on_disk_before = files_under(deployed_project)
    in_bucket_before = s3_server.keys(bucket)

    status, _ = visitor.upload("/profile/", "/profile/", "picture", "me.jpg", phone_photo())

    assert status == 302
    (key,) = s3_server.keys(bucket) - in_bucket_before
    assert key.startswith("pictures/") and key.endswith(".jpg")
    _, page = visitor.get("/profile/")
    url = html.unescape(IMG_SRC.search(page).group(1))
    assert url.startswith(f"{s3_server.url}/{bucket}/{key}?") and "X-Amz-Signature=" in url
    with s3_server.open(url) as response:
        served = response.read()
    assert served == s3_server.client().get_object(Bucket=bucket, Key=key)["Body"].read()
    # Stored upright, and without where it was taken or any other metadata.
    with Image.open(io.BytesIO(served)) as stored:
        assert not stored.getexif() and "xmp" not in stored.info
        assert stored.size == (20, 40)

    too_big = image("PNG") + b"\0" * (3 * 1024 * 1024)
    for filename, content, error in [
        ("big.png", too_big, "the limit is 2 MB"),
        ("anim.gif", image("GIF"), "That is a GIF image: use JPEG, PNG or WebP."),
        ("notes.png", b"plain text, not a picture", "Upload a valid image."),
    ]:
        status, page = visitor.upload("/profile/", "/profile/", "picture", filename, content)
        assert status == 200 and error in page, (filename, page[-2000:])
    assert s3_server.keys(bucket) - in_bucket_before == {key}, "a refused file was stored"
    assert files_under(deployed_project) == on_disk_before, "an upload was written to disk"
