"""The one-query view both projects serve: the newest category's name (the schema's own)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from sandbox.inventory.models import Category


def newest_category(request: HttpRequest) -> HttpResponse:
    return HttpResponse(Category.objects.order_by("-id").values_list("name", flat=True).first())


urlpatterns = [path("", newest_category)]
