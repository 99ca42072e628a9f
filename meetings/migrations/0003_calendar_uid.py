"""Each meeting keeps the iCalendar UID it was announced with.

Existing meetings get the UID their invitations already carry (meeting-<id>@<host of
SITE_URL>), so the events in people's calendars stay the same events; new meetings get
a random one at creation.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations, models


def keep_the_uids_already_sent(apps, schema_editor):
    host = urlsplit(settings.SITE_URL).hostname or "tansiq.local"
    Meeting = apps.get_model("meetings", "Meeting")
    for meeting in Meeting.objects.filter(calendar_uid__isnull=True).only("pk"):
        Meeting.objects.filter(pk=meeting.pk).update(calendar_uid=f"meeting-{meeting.pk}@{host}")
    HistoricalMeeting = apps.get_model("meetings", "HistoricalMeeting")
    for row in HistoricalMeeting.objects.filter(calendar_uid__isnull=True).only("id"):
        HistoricalMeeting.objects.filter(pk=row.pk).update(calendar_uid=f"meeting-{row.id}@{host}")


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_initial")]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="calendar_uid",
            field=models.CharField(editable=False, max_length=200, null=True),
        ),
        migrations.AddField(
            model_name="historicalmeeting",
            name="calendar_uid",
            field=models.CharField(db_index=True, editable=False, max_length=200, null=True),
        ),
        migrations.RunPython(keep_the_uids_already_sent, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="meeting",
            name="calendar_uid",
            field=models.CharField(editable=False, max_length=200, unique=True),
        ),
        migrations.AlterField(
            model_name="historicalmeeting",
            name="calendar_uid",
            field=models.CharField(db_index=True, editable=False, max_length=200),
        ),
    ]
