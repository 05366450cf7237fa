import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns/format';

/** The calendar day ('YYYY-MM-DD') it is at `now` in the organization's time zone. */
export function todayIn(timeZone: string, now: Date): string {
  return format(new TZDate(now.getTime(), timeZone), 'yyyy-MM-dd');
}
