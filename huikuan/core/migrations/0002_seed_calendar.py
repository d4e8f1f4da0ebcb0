from django.db import migrations


def seed(apps, schema_editor):
    from huikuan.core.services import library_calendar_days

    CalendarDay = apps.get_model("core", "CalendarDay")
    days = library_calendar_days(range(2018, 2028))
    CalendarDay.objects.bulk_create(
        [CalendarDay(day=day, kind=kind, name=name, source="library") for day, (kind, name) in sorted(days.items())],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
