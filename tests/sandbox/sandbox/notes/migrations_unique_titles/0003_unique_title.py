from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notes", "0002_welcome_tag")]
    operations = [
        migrations.AlterField(
            model_name="note", name="title", field=models.CharField(max_length=200, unique=True)
        )
    ]
