from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inventory", "0010_product_barcode_active_supplier_website")]

    operations = [
        migrations.AddField(
            model_name="supplier",
            name="categories",
            field=models.ManyToManyField(
                blank=True, related_name="suppliers", to="inventory.category"
            ),
        ),
    ]
