"""Websocket routes of dynamic tenants (WS_URLCONF); static tenants fall back to them."""

from django.urls import path

from sandbox.notes import consumers

urlpatterns = [
    path("ws/notes/<str:room>/", consumers.NotesConsumer.as_asgi()),
    path("ws/sync-notes/<str:room>/", consumers.SyncNotesConsumer.as_asgi()),
]
