from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inventory", "0012_indexes")]

    operations = [
        migrations.AddConstraint(
            model_name="stocklevel",
            constraint=models.UniqueConstraint(
                fields=("product", "warehouse"), name="stocklevel_product_warehouse"
            ),
        ),
        migrations.AddConstraint(
            model_name="stockmove",
            constraint=models.CheckConstraint(
                condition=models.Q(("source__isnull", False), ("destination__isnull", False), _connector="OR"),
                name="stockmove_has_end",
            ),
        ),
        migrations.AddConstraint(
            model_name="pricelistitem",
            constraint=models.UniqueConstraint(
                fields=("price_list", "product"), name="pricelistitem_list_product"
            ),
        ),
        migrations.AddConstraint(
            model_name="orderline",
            constraint=models.CheckConstraint(
                condition=models.Q(("quantity__gt", 0)), name="orderline_quantity_positive"
            ),
        ),
    ]
