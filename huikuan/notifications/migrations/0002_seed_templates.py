from django.db import migrations


def seed(apps, schema_editor):
    from huikuan.notifications.seeding import seed_templates

    seed_templates(apps.get_model("notifications", "Template"))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
