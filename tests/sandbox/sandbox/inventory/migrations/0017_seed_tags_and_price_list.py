"""Data migration: every tenant starts with three tags and a default price list."""

from django.db import migrations

TAGS = ["new", "sale", "clearance"]


def seed(apps, schema_editor):
    database = schema_editor.connection.alias
    Tag = apps.get_model("inventory", "Tag")
    Tag.objects.using(database).bulk_create([Tag(name=name) for name in TAGS])
    apps.get_model("inventory", "PriceList").objects.using(database).create(
        name="default", currency="EUR"
    )


def unseed(apps, schema_editor):
    database = schema_editor.connection.alias
    apps.get_model("inventory", "PriceList").objects.using(database).filter(
        name="default"
    ).delete()
    apps.get_model("inventory", "Tag").objects.using(database).filter(name__in=TAGS).delete()


class Migration(migrations.Migration):
    dependencies = [("inventory", "0016_invoice_paid_payment_method")]

    operations = [migrations.RunPython(seed, unseed)]
