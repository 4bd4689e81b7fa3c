"""The ``tenantry_django.postgresql`` database engine (wraps ``TENANTRY_ORIGINAL_BACKEND``).

- ``base``: the ``DatabaseWrapper`` Django loads for the engine; it holds the connection's
  search-path state and tells it about connects, request boundaries, rollbacks and closes.
- ``_search_path``: ``SearchPathState``, what the server's path is and what to send next.
- ``_path_statements``: the statements that point a connection at a schema, per scope.
- ``_cursors``: the cursors that send the path before a statement, with it when they can.
- ``operations``, ``introspection``, ``compiler``: Django's, kept to the current schema.
"""
