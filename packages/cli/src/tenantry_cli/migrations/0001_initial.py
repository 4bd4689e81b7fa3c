from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    operations = [
        migrations.CreateModel(
            name="SchemaMigrationOutcome",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("database", models.CharField(max_length=100)),
                ("schema_name", models.CharField(max_length=63)),
                ("status", models.CharField(max_length=10)),
                ("detail", models.TextField(blank=True)),
                ("error", models.TextField(blank=True)),
                ("seconds", models.FloatField(default=0.0)),
                ("finished_at", models.DateTimeField()),
            ],
            options={"db_table": "tenantry_schema_migration_outcome"},
        ),
        migrations.AddConstraint(
            model_name="schemamigrationoutcome",
            constraint=models.UniqueConstraint(
                fields=("database", "schema_name"), name="tenantry_outcome_one_per_schema"
            ),
        ),
    ]
