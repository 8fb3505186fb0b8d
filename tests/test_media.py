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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from tests.support import machine
from tests.support.combinations import runtime_key, short_hash
from tests.support.visitors import Visitor

PASSWORD = "media-password-that-is-not-secret"
IMG_SRC = re.compile(r'<img id="picture" src="([^"]+)"')
# Pictures just under the form's caps, as an attacker sends them: a few hundred
# kilobytes each, RGBA (4 bytes a pixel) where the format allows it.
PICTURES_AT_THE_CAP = {"PNG": (2000, "RGBA"), "WEBP": (2000, "RGBA"), "JPEG": (4890, "RGB")}
UPLOADS_AT_ONCE = 10
DYNO_BYTES = 512 * 2**20  # a Heroku basic or standard-1X dyno


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


def signed_in_visitors(port: int, create_users, runtime_answers, count: int) -> list[Visitor]:
    tag = short_hash(runtime_key(runtime_answers))[:6]
    names = [f"pic{n}-{tag}" for n in range(count)]
    create_users(names, PASSWORD)
    visitors = [Visitor(port) for _ in names]
    with ThreadPoolExecutor(count) as logins:
        list(logins.map(Visitor.log_in, visitors, names, [PASSWORD] * count))
    return visitors


@pytest.mark.only(media_storage="s3")
def test_an_upload_keeps_no_comment_text_or_color_profile(
    start_web, create_users, s3_server, bucket, runtime_answers
):
    """As an attacker would check a victim's picture: a JPEG's comment, a PNG's text
    and a color profile (which can name a device) do not reach the bucket."""
    (visitor,) = signed_in_visitors(start_web(), create_users, runtime_answers, 1)
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    jpeg, png = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (40, 20), "orange").save(
        jpeg, "JPEG", comment=b"taken at 12 Main Street", icc_profile=profile
    )
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "taken at 12 Main Street")
    Image.new("RGB", (40, 20), "orange").save(png, "PNG", pnginfo=text, icc_profile=profile)

    for filename, content in (("photo.jpg", jpeg.getvalue()), ("drawing.png", png.getvalue())):
        before = s3_server.keys(bucket)
        status, _ = visitor.upload("/profile/", "/profile/", "picture", filename, content)
        assert status == 302
        (key,) = s3_server.keys(bucket) - before
        stored = s3_server.client().get_object(Bucket=bucket, Key=key)["Body"].read()
        assert b"Main Street" not in stored, filename
        with Image.open(io.BytesIO(stored)) as picture:
            assert not set(picture.info) & {"comment", "Comment", "icc_profile"}, picture.info


@pytest.mark.only(media_storage="s3")
def test_uploads_at_the_pixel_cap_keep_the_web_processes_within_a_dyno(
    start_web, create_users, s3_server, bucket, runtime_answers, web_servers
):
    """UPLOADS_AT_ONCE pictures at the pixel caps at once (PNG, WebP and JPEG in turn),
    each small as a file and large once decoded: the web command's whole process
    group, sampled every 50 ms, stays within a 512 MB dyno, and every upload is
    stored."""
    port = start_web()
    server = web_servers[port]
    visitors = signed_in_visitors(port, create_users, runtime_answers, UPLOADS_AT_ONCE)
    pictures = []
    for image_format, (side, mode) in PICTURES_AT_THE_CAP.items():
        data = io.BytesIO()
        Image.new(mode, (side, side), "orange").save(data, image_format)
        pictures.append((f"big.{image_format.lower()}", data.getvalue()))
    start = threading.Barrier(UPLOADS_AT_ONCE)

    def upload(n: int) -> int:
        start.wait(timeout=30)
        filename, picture = pictures[n % len(pictures)]
        return visitors[n].upload("/profile/", "/profile/", "picture", filename, picture)[0]

    before = machine.resident_bytes(machine.process_group(server.process.pid))
    peak = 0
    with ThreadPoolExecutor(UPLOADS_AT_ONCE) as clients:
        uploads = [clients.submit(upload, n) for n in range(UPLOADS_AT_ONCE)]
        deadline = time.monotonic() + 180
        while not all(u.done() for u in uploads) and time.monotonic() < deadline:
            group = machine.process_group(server.process.pid)
            peak = max(peak, machine.resident_bytes(group))
            time.sleep(0.05)
        statuses = [u.result(timeout=10) for u in uploads]

    assert statuses == [302] * UPLOADS_AT_ONCE, statuses
    took = f"{before / 2**20:.0f} MB before, {peak / 2**20:.0f} MB at the peak"
    assert peak < DYNO_BYTES, f"the web processes took {took}"
    assert "Traceback" not in server.output, server.output[-3000:]
