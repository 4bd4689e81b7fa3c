"""URLconf of dynamic tenants."""

from django.urls import path

from sandbox import views

urlpatterns = [
    path("", views.whoami, name="whoami"),
    path("notes/", views.notes, name="notes"),
    path("go/", views.go_home, name="go"),
]
handler404 = "sandbox.views.tenant_not_found"
