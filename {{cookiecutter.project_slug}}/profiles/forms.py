import io
import uuid

from django import forms
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from .models import Profile

MAX_PICTURE_BYTES = 2 * 1024 * 1024
# Decoding takes 3 or 4 bytes a pixel, however small the file: a 2 MB file can hold
# a picture of a hundred million plain pixels.
MAX_PICTURE_PIXELS = 24_000_000
# What Pillow found inside the file, whatever its name or declared type claims.
PICTURE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# How each is written again: JPEG and WebP at a quality no eye tells from a phone's,
# PNG losslessly.
ENCODER_OPTIONS = {"JPEG": {"quality": 90}, "PNG": {}, "WEBP": {"quality": 90}}


def without_metadata(picture, image_format: str) -> bytes:
    """The picture written again from its pixels alone, turned upright first as its
    EXIF orientation says. Nothing else of its metadata is kept: a phone's photo
    carries where and when it was taken, and on which device (EXIF, XMP). Only its
    color profile stays, so that its colors show as they were taken."""
    picture.seek(0)
    with Image.open(picture) as image:
        upright = ImageOps.exif_transpose(image)
        data = io.BytesIO()
        upright.save(
            data,
            image_format,
            icc_profile=image.info.get("icc_profile"),
            **ENCODER_OPTIONS[image_format],
        )
    return data.getvalue()


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
        image_format = getattr(picture.image, "format", None)
        if image_format not in PICTURE_FORMATS:
            kind = f"a {image_format}" if image_format else "an unknown"
            raise forms.ValidationError(f"That is {kind} image: use JPEG, PNG or WebP.")
        width, height = picture.image.size
        if width * height > MAX_PICTURE_PIXELS:
            raise forms.ValidationError(
                f"The picture is {width} × {height} pixels: the limit is"
                f" {MAX_PICTURE_PIXELS // 1_000_000} million."
            )
        name = f"{uuid.uuid4().hex}.{PICTURE_FORMATS[image_format]}"
        return ContentFile(without_metadata(picture, image_format), name=name)
