"""Sign-up keeps an e-mail address, the way back into an account whose password is
forgotten; password reset says whether its mail went out."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template import loader


class SignUpForm(auth_forms.UserCreationForm):
    email = forms.EmailField(
        help_text="Where we send a link if you forget your password.",
    )

    class Meta(auth_forms.UserCreationForm.Meta):
        fields = ("username", "email")

    def clean_email(self):
        email = self.cleaned_data["email"]
        # One account per address, so that a reset link reaches one account only.
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account already uses this address: log in, or reset its password."
            )
        return email


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, except that a message that is not sent is counted in `failed`
    (for the view to tell its visitor) instead of logged with a traceback."""

    failed = 0

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = loader.render_to_string(subject_template_name, context)
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(
            "".join(subject.splitlines()), body, from_email, [to_email]
        )
        if html_email_template_name is not None:
            html = loader.render_to_string(html_email_template_name, context)
            message.attach_alternative(html, "text/html")
        if not message.send():
            self.failed += 1
