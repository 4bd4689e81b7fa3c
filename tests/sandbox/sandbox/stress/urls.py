"""URLconf of dynamic tenants in the stress project."""

from django.urls import path

from sandbox.stress import views

urlpatterns = [
    path("stress/probe/", views.probe_view),
    path("stress/async-probe/", views.async_probe_view),
    path("stress/stream/", views.streaming_view),
    path("stress/async-stream/", views.async_streaming_view),
]
