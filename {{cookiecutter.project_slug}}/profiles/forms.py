import ctypes
import io
import threading
import uuid

from django import forms
from django.core.files.base import ContentFile
from PIL import Image, ImageCms, ImageOps

from .models import Profile

MAX_PICTURE_BYTES = 2 * 1024 * 1024
# Kept at most this many pixels a side.
MAX_PICTURE_SIDE = 1024
# A 2 MB file can hold a hundred million plain pixels, and a web process decodes one
# picture at a time: two processes each decoding one, beside the S3 client each thread
# keeps, must fit a 512 MB dyno. A JPEG is decoded at a half, a quarter or an eighth
# of its size (what MAX_PICTURE_SIDE needs), a PNG or WebP whole, at 4 bytes a pixel.
MAX_PICTURE_PIXELS = {"JPEG": 24_000_000, "PNG": 4_000_000, "WEBP": 4_000_000}
# A progressive JPEG is decoded scan by scan over the whole picture: a camera writes
# about ten, and a 2 MB file can hold tens of thousands, minutes of CPU (LJT-01-003):
# https://libjpeg-turbo.org/pmwiki/uploads/About/TwoIssueswiththeJPEGStandard.pdf
MAX_JPEG_SCANS = 100
decoding = threading.Lock()
try:  # glibc keeps what each thread frees for that thread: give it back after each
    release_freed_memory = ctypes.CDLL("libc.so.6").malloc_trim
except OSError:  # another C library (macOS, musl), which gives it back
    release_freed_memory = None
# What Pillow found inside the file, whatever its name or declared type claims.
PICTURE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# How each is written again: JPEG and WebP at a quality no eye tells from a phone's,
# PNG losslessly.
ENCODER_OPTIONS = {"JPEG": {"quality": 90}, "PNG": {}, "WEBP": {"quality": 90}}
SRGB = ImageCms.createProfile("sRGB")


def without_metadata(picture, image_format: str) -> bytes:
    """The picture written again from its pixels alone, at most MAX_PICTURE_SIDE a
    side, turned upright first as its EXIF orientation says and its colors moved to
    sRGB. Nothing else of the file is kept: a phone's photo carries where and when it
    was taken, and on which device (EXIF, XMP, its color profile's name), and any
    file can carry comments and text."""
    picture.seek(0)
    data = io.BytesIO()
    with decoding:
        with Image.open(picture) as image:
            image.thumbnail((MAX_PICTURE_SIDE, MAX_PICTURE_SIDE))
            upright = ImageOps.exif_transpose(image)
            if "transparency" in upright.info:  # kept as an alpha channel instead
                upright = upright.convert("RGBA")
            if profile := image.info.get("icc_profile"):
                upright = in_srgb(upright, profile)
            upright.info = {}  # nothing for the encoder to write again: comments, XMP
            upright.save(data, image_format, **ENCODER_OPTIONS[image_format])
        if release_freed_memory:
            release_freed_memory(0)
    return data.getvalue()


def jpeg_scans(picture) -> int:
    """Its start-of-scan markers, which entropy-coded data cannot hold (0xFF is
    written 0xFF00 there)."""
    picture.seek(0)
    return picture.read().count(b"\xff\xda")


def in_srgb(image, profile: bytes):
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") else "RGB"
    try:
        return ImageCms.profileToProfile(
            image, io.BytesIO(profile), SRGB, outputMode=mode
        )
    except ImageCms.PyCMSError:  # a profile LittleCMS cannot apply: colors as stored
        return image


class PictureForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["picture"]
        widgets = {
            "picture": forms.ClearableFileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp"}
            )
        }

    def clean_picture(self):
        picture = self.cleaned_data["picture"]
        if picture.size > MAX_PICTURE_BYTES:
            raise forms.ValidationError(
                f"The picture is {picture.size / 1024 / 1024:.1f} MB: "
                f"the limit is {MAX_PICTURE_BYTES // 1024 // 1024} MB."
            )
        # ImageField has already opened the file with Pillow, so a file that is not
        # an image never gets here.
        found = getattr(picture.image, "format", None)
        # A phone's multi-picture photo (MPO: Ultra HDR, portrait mode) is a JPEG with
        # more pictures after the photo, which is the first.
        image_format = "JPEG" if found == "MPO" else found
        if image_format not in PICTURE_FORMATS:
            kind = f"a {image_format}" if image_format else "an unknown"
            raise forms.ValidationError(f"That is {kind} image: use JPEG, PNG or WebP.")
        if image_format == "JPEG" and (scans := jpeg_scans(picture)) > MAX_JPEG_SCANS:
            raise forms.ValidationError(
                f"The picture is a JPEG of {scans} scans: the limit is"
                f" {MAX_JPEG_SCANS}. Save it again from a photo editor."
            )
        width, height = picture.image.size
        if width * height > (limit := MAX_PICTURE_PIXELS[image_format]):
            raise forms.ValidationError(
                f"The picture is {width} × {height} pixels: the limit is"
                f" {limit // 1_000_000} million for a {image_format}."
            )
        name = f"{uuid.uuid4().hex}.{PICTURE_FORMATS[image_format]}"
        return ContentFile(without_metadata(picture, image_format), name=name)
