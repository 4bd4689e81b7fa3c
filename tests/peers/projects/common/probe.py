"""Prints, as JSON, what each host serves and each schema's note count.

Run with the project's settings (peer or tenantry): ``python -m probe HOST/PATH ...``
(``acme.test/notes/``).
The counts are read with plain SQL, so they do not depend on any tenancy package.
"""

import json
import sys

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def served(target: str) -> dict[str, object]:
    host, _, path = target.partition("/")
    response = Client(HTTP_HOST=host).get("/" + path)
    body = response.json() if response.status_code == 200 else None
    return {"status": response.status_code, "body": body}


def note_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'notes_note' ORDER BY 1"
        )
        schemas = [row[0] for row in cursor.fetchall()]
        counts = {}
        for schema in schemas:
            quoted = connection.ops.quote_name(schema)
            cursor.execute(f"SELECT count(*) FROM {quoted}.notes_note")
            counts[schema] = cursor.fetchone()[0]
    return counts


print(json.dumps({"hosts": {h: served(h) for h in sys.argv[1:]}, "counts": note_counts()}))
