"""Sign-up keeps an e-mail address, the way back into an account whose password is
forgotten."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model


class SignUpForm(auth_forms.UserCreationForm):
    email = forms.EmailField(
        help_text="Where we send a link if you forget your password.",
    )

    class Meta(auth_forms.UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self):
        email = self.cleaned_data["email"]
        # One account per address, so that a reset link reaches one account only.
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account already uses this address: log in, or reset its password."
            )
        return email
