// Reads an iCalendar file from stdin the way Thunderbird and Nextcloud do (ical.js) and
// prints, as JSON, every event with the words a person reads in their calendar: uid,
// summary, description and location, and the slot an override stands for (in UTC).
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const calendar = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));

for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary || "",
    description: event.description || "",
    location: event.location || "",
    recurrence_id: event.recurrenceId ? event.recurrenceId.toJSDate().toISOString() : null,
  };
});
process.stdout.write(JSON.stringify(events));
