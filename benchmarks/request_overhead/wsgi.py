"""The WSGI application gunicorn serves in ``--transport http`` (settings from the environment)."""

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
