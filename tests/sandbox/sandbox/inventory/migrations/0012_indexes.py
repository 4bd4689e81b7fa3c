from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inventory", "0011_supplier_categories")]

    operations = [
        migrations.AddIndex(
            model_name="product",
            index=models.Index(fields=["name"], name="product_name_idx"),
        ),
        migrations.AddIndex(
            model_name="stockmove",
            index=models.Index(fields=["moved_at"], name="stockmove_moved_at_idx"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["status", "placed_at"], name="order_status_placed_idx"),
        ),
    ]
