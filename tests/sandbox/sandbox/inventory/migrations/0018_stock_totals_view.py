"""RunSQL: a reporting view of stock per product (unqualified: lands in the tenant's schema)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("inventory", "0017_seed_tags_and_price_list")]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE VIEW inventory_stock_totals AS "
                "SELECT product_id, sum(quantity) AS quantity "
                "FROM inventory_stocklevel GROUP BY product_id"
            ),
            reverse_sql="DROP VIEW inventory_stock_totals",
        ),
    ]
