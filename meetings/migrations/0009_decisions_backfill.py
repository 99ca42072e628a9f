"""Decisions taken before this migration belong to their meeting's group and were taken
on its day; minutes written before it get their text as version 1."""

import zoneinfo

from django.db import migrations, models
import django.db.models.deletion


def backfill(apps, schema_editor):
    Decision = apps.get_model("meetings", "Decision")
    Minutes = apps.get_model("meetings", "Minutes")
    MinutesVersion = apps.get_model("meetings", "MinutesVersion")
    for decision in Decision.objects.select_related("meeting").iterator():
        meeting = decision.meeting
        decision.group_id = meeting.group_id
        decision.decided_on = meeting.start_at.astimezone(
            zoneinfo.ZoneInfo(meeting.time_zone)
        ).date()
        decision.save(update_fields=["group", "decided_on"])
    MinutesVersion.objects.bulk_create(
        MinutesVersion(
            minutes_id=minutes.pk,
            number=1,
            body=minutes.body,
            reason="drafted",
            created_at=minutes.updated_at,
        )
        for minutes in Minutes.objects.iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0005_confidentiality"),
        ("meetings", "0008_minutes_cycle_follow_up"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="decision",
            name="group",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="decisions",
                to="groups.coordinationgroup",
                verbose_name="group",
            ),
        ),
        migrations.AlterField(
            model_name="decision",
            name="decided_on",
            field=models.DateField(verbose_name="decided on"),
        ),
        migrations.AlterField(
            model_name="historicaldecision",
            name="decided_on",
            field=models.DateField(verbose_name="decided on"),
        ),
    ]
