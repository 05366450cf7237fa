// One formatter per time zone: building an Intl.DateTimeFormat is the expensive part, and
// the webhook processor asks for the day of several instants per event.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

function dayFormatIn(timeZone: string): Intl.DateTimeFormat {
  let dayFormat = dayFormats.get(timeZone);
  if (!dayFormat) dayFormats.set(timeZone, (dayFormat = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', calendar: 'gregory', numberingSystem: 'latn' })));
  return dayFormat;
}

// Every console page asks for today's day, hundreds of times a second under load: the last
// answer per zone is kept for its second (no zone's offset has a fraction of a second).
const lastDays = new Map<string, { second: number; day: string }>();

/** The calendar day ('YYYY-MM-DD') it is at `now` in the organization's time zone. */
export function todayIn(timeZone: string, now: Date): string {
  const second = Math.floor(now.getTime() / 1000);
  const last = lastDays.get(timeZone);
  if (last?.second === second) return last.day;
  const day = dayIn(timeZone, now);
  lastDays.set(timeZone, { second, day });
  return day;
}

function dayIn(timeZone: string, now: Date): string {
  // By parts, not by the formatted string, whose layout is the locale's to change.
  let year = '';
  let month = '';
  let day = '';
  for (const part of dayFormatIn(timeZone).formatToParts(now)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  return `${year}-${month}-${day}`;
}
