from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("inventory", "0014_alter_fields")]

    operations = [
        migrations.RenameField(model_name="address", old_name="line1", new_name="street"),
    ]
