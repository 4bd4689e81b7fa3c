"""A data migration: every tenant starts with a "welcome" tag (clones must copy it)."""

from django.db import migrations


def create_welcome_tag(apps, schema_editor):
    apps.get_model("notes", "Tag").objects.using(schema_editor.connection.alias).create(
        name="welcome"
    )


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_initial")]
    operations = [migrations.RunPython(create_welcome_tag, migrations.RunPython.noop)]
