from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inventory", "0015_rename_address_line1")]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="paid",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="payment",
            name="method",
            field=models.CharField(
                choices=[("card", "Card"), ("transfer", "Transfer"), ("cash", "Cash")],
                default="card",
                max_length=16,
            ),
        ),
    ]
