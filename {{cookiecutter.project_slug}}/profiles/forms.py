import uuid

from django import forms

from .models import Profile

MAX_PICTURE_BYTES = 2 * 1024 * 1024
# What Pillow found inside the file, whatever its name or declared type claims.
PICTURE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


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
        picture.name = f"{uuid.uuid4().hex}.{PICTURE_FORMATS[image_format]}"
        return picture
