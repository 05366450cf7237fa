import type { StripeEventStatus } from '../../../db/database';
import { formatCount, formatInstant } from '../i18n';
import { ConsolePage, Csrf, Frame } from '../layout';
import { ScrollTable } from './dashboard';

interface EventLine {
  id: string;
  type: string;
  status: StripeEventStatus;
  attempts: number;
  last_error: string | null;
  received_at: Date | string;
}

function RetryButton({ frame, id }: { frame: Frame; id: string }) {
  const a = frame.session.m.admin;
  return (
    <form method="post" action={`/console/events/${id}/retry`}>
      <Csrf token={frame.session.csrf} />
      <button type="submit" class="secondary" aria-label={a.eventRetryOf(id)}>
        {a.eventRetry}
      </button>
    </form>
  );
}

/** Failed and waiting Stripe events, failed first: the error, the attempts, a retry for each and for all failed. */
export function EventsPage(props: { frame: Frame; events: EventLine[]; failed: number; member?: { id: string; name: string } | undefined }) {
  const { frame } = props;
  const m = frame.session.m;
  const a = m.admin;
  const zone = frame.session.organization.timeZone;
  return (
    <ConsolePage {...frame} title={props.member ? a.memberEventsTitle(props.member.name) : a.eventsTitle}>
      {props.member ? (
        <p>
          {a.memberEventsIntro} <a href={`/console/members/${props.member.id}`}>{props.member.name}</a>
        </p>
      ) : (
        <p>{a.eventsIntro}</p>
      )}
      {props.failed > 0 ? (
        <form method="post" action="/console/events/retry-failed">
          <Csrf token={frame.session.csrf} />
          <button type="submit">{a.eventRetryAll(formatCount(m, props.failed))}</button>
        </form>
      ) : null}
      {props.events.length === 0 ? (
        <p>{props.member ? a.memberEventsEmpty : a.eventsEmpty}</p>
      ) : (
        <ScrollTable id="events" label={a.eventsTable}>
          <table>
            <caption class="visually-hidden">{a.eventsTitle}</caption>
            <thead>
              <tr>
                <th scope="col">{a.eventId}</th>
                <th scope="col">{a.eventType}</th>
                <th scope="col">{a.eventStatus}</th>
                <th scope="col" class="num">
                  {a.eventAttempts}
                </th>
                <th scope="col">{a.eventReceived}</th>
                <th scope="col">{a.eventError}</th>
                <th scope="col">{a.eventRetry}</th>
              </tr>
            </thead>
            <tbody>
              {props.events.map((event) => (
                <tr>
                  <th scope="row">
                    <a href={`/console/events/${event.id}`}>{event.id}</a>
                  </th>
                  <td>{event.type}</td>
                  <td>{a.eventStatuses[event.status]}</td>
                  <td class="num">{formatCount(m, event.attempts)}</td>
                  <td>{formatInstant(m, new Date(event.received_at), zone)}</td>
                  <td class="wrap">{event.last_error ?? m.none}</td>
                  <td>{event.status === 'failed' || event.status === 'pending' ? <RetryButton frame={frame} id={event.id} /> : m.none}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
    </ConsolePage>
  );
}

/** One event: its state, error and attempts, and the payload as Stripe sent it. */
export function EventPage(props: { frame: Frame; event: EventLine & { payload: unknown; outcome: string | null; processed_at: Date | string | null } }) {
  const { frame, event } = props;
  const m = frame.session.m;
  const a = m.admin;
  const zone = frame.session.organization.timeZone;
  return (
    <ConsolePage {...frame} title={a.eventTitle(event.id)}>
      <p>
        <a href="/console/events">{a.eventBack}</a>
      </p>
      <dl class="facts">
        <dt>{a.eventType}</dt>
        <dd>{event.type}</dd>
        <dt>{a.eventStatus}</dt>
        <dd>{a.eventStatuses[event.status]}</dd>
        <dt>{a.eventAttempts}</dt>
        <dd>{formatCount(m, event.attempts)}</dd>
        <dt>{a.eventReceived}</dt>
        <dd>{formatInstant(m, new Date(event.received_at), zone)}</dd>
        <dt>{a.eventError}</dt>
        <dd>{event.last_error ?? event.outcome ?? m.none}</dd>
      </dl>
      {event.status !== 'processed' ? <RetryButton frame={frame} id={event.id} /> : null}
      <h2>{a.eventPayload}</h2>
      <pre class="payload">{JSON.stringify(event.payload, null, 2)}</pre>
    </ConsolePage>
  );
}
