from django.db import migrations, models


def pin_welcome_notes(apps, schema_editor):
    apps.get_model("notes", "Note").objects.using(schema_editor.connection.alias).filter(
        title__startswith="welcome"
    ).update(pinned=True)


class Migration(migrations.Migration):
    dependencies = [("notes", "0003_unique_title")]
    operations = [
        migrations.AddField(
            model_name="note", name="pinned", field=models.BooleanField(default=False)
        ),
        migrations.RunPython(pin_welcome_notes, migrations.RunPython.noop),
    ]
