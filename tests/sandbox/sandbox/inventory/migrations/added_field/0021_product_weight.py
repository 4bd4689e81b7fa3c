"""The "one added field with a default" step of the migrate-fleet benchmark.

Loaded only with TENANTRY_BENCH_ADDED_FIELD=1 (see ``migrations/__init__.py``); models.py
does not declare the field, which migrate never checks.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inventory", "0020_orderline_discount")]

    operations = [
        migrations.AddField(
            model_name="product",
            name="weight_grams",
            field=models.IntegerField(default=0),
        ),
    ]
