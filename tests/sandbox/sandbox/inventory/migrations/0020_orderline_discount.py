from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inventory", "0019_customer_notes_warehouse_code")]

    operations = [
        migrations.AddField(
            model_name="orderline",
            name="discount",
            field=models.DecimalField(decimal_places=2, default=0, max_digits=5),
        ),
        migrations.AlterModelOptions(name="orderline", options={"ordering": ["order", "id"]}),
    ]
