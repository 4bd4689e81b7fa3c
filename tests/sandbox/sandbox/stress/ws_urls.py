"""Websocket routes of dynamic tenants in the stress project."""

from django.urls import path

from sandbox.stress import consumers

urlpatterns = [
    path("ws/stress/", consumers.ProbeConsumer.as_asgi()),
    path("ws/stress-sync/", consumers.SyncProbeConsumer.as_asgi()),
]
