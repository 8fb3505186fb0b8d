from django.urls import path
from django.views.generic import TemplateView

app_name = "live"

urlpatterns = [
    path("live/", TemplateView.as_view(template_name="live/live.html"), name="page"),
]
