"""URLconf of the static tenants (www, archive)."""

from django.urls import path

from sandbox import views

urlpatterns = [
    path("", views.whoami, name="whoami"),
    path("posts/", views.posts, name="posts"),
]
