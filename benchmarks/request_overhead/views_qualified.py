"""The same one-query view, reading the host's table by its schema-qualified name.

One unmanaged copy of ``Note`` per host; ``db_table = 'tenantN"."notes_note'`` makes Django
quote it as ``"tenantN"."notes_note"``, so the ORM builds the same query as everywhere else.
"""

from django.db import models
from django.http import HttpRequest, HttpResponse

TENANTS = 20


def _note_model(index: int) -> type[models.Model]:
    meta = type(
        "Meta",
        (),
        {"managed": False, "db_table": f'tenant{index}"."notes_note', "app_label": "notes"},
    )
    attributes = {"title": models.CharField(max_length=200), "Meta": meta, "__module__": __name__}
    return type(f"QualifiedNote{index}", (models.Model,), attributes)


NOTES = {f"tenant{index}.bench": _note_model(index) for index in range(TENANTS)}


def first_notes_of_host(request: HttpRequest) -> HttpResponse:
    model = NOTES[request.get_host()]
    titles = list(model._default_manager.values_list("title", flat=True)[:5])
    return HttpResponse(", ".join(titles))
