"""A project's own answer to hosts no tenant serves (TENANTRY_UNKNOWN_HOST_VIEW)."""

from django.http import HttpRequest, HttpResponse


def unknown_host(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"no tenant at {request.get_host()}", status=410)
