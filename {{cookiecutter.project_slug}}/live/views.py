from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.generic import CreateView


def live_page(request):
    return render(request, "live/live.html")


class SignUpView(CreateView):
    form_class = UserCreationForm
    template_name = "registration/signup.html"
    success_url = reverse_lazy("live:page")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Signing up signs in, which every open live page hears about.
        login(self.request, self.object)
        return response
