"""URLconf of dynamic tenants."""

from django.urls import path

from sandbox import views, views_cached

urlpatterns = [
    path("", views.whoami, name="whoami"),
    path("notes/", views.notes, name="notes"),
    path("notes/streamed/", views.notes_streamed, name="notes-streamed"),
    path("notes/streamed-async/", views.notes_streamed_async, name="notes-streamed-async"),
    path("go/", views.go_home, name="go"),
    path("cached/", views_cached.cached_notes, name="cached"),
]
handler404 = "sandbox.views.tenant_not_found"
