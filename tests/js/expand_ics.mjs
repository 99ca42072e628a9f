// Reads an iCalendar file from stdin the way Thunderbird and Nextcloud do (ical.js) and
// prints, as JSON, each recurring event as such a program holds it: its RRULE, EXDATE and
// overrides (RECURRENCE-ID) as written, and the instances it expands to, in UTC.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const calendar = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));

for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}
const utc = (time) => time.toJSDate().toISOString();
const components = calendar.getAllSubcomponents("vevent");
const overrides = components.filter((component) => component.hasProperty("recurrence-id"));
const events = components
  .filter((component) => !component.hasProperty("recurrence-id"))
  .map((component) => {
    const uid = component.getFirstPropertyValue("uid");
    const own = overrides.filter((other) => other.getFirstPropertyValue("uid") === uid);
    const event = new ICAL.Event(component, { exceptions: own });
    const instances = [];
    if (event.isRecurring()) {
      const iterator = event.iterator();
      for (let next = iterator.next(); next; next = iterator.next()) {
        const details = event.getOccurrenceDetails(next);
        instances.push({
          start: utc(details.startDate),
          end: utc(details.endDate),
          summary: details.item.summary,
          recurrence_id: utc(details.recurrenceId),
        });
      }
    } else {
      instances.push({ start: utc(event.startDate), end: utc(event.endDate), summary: event.summary });
    }
    const rrule = component.getFirstPropertyValue("rrule");
    return {
      uid,
      status: component.getFirstPropertyValue("status"),
      rrule: rrule ? rrule.toString() : null,
      exdates: component.getAllProperties("exdate").map((property) => utc(property.getFirstValue())),
      overrides: own.map((other) => utc(other.getFirstPropertyValue("recurrence-id"))),
      instances,
    };
  });
process.stdout.write(JSON.stringify(events));
