from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inventory", "0018_stock_totals_view")]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="notes",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="warehouse",
            name="code",
            field=models.CharField(max_length=16, unique=True),
        ),
    ]
