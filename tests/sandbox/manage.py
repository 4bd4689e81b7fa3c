#!/usr/bin/env python
"""Run sandbox commands by hand: TENANTRY_SANDBOX_DATABASE_URL=... python manage.py ..."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandbox.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
