import { sql } from 'kysely';
import { deliverDueEmails, enqueueEmailOnce } from '../../src/email/outbox';
import { queuePaymentStarted } from '../../src/members/payment-emails';
import { smtpTransport } from '../../src/email/transport';
import { DAY, START, startStripeFlow, type StripeFlow } from '../support/stripe-flow';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp';

// Receipts and payment notices: one per payment (and per refund), in the member's language,
// whatever order or how often Stripe's events arrive, read back from a real SMTP server.

let flow: StripeFlow;
let smtp: TestSmtpServer;
beforeAll(async () => {
  flow = await startStripeFlow();
  smtp = await startTestSmtpServer();
});
afterAll(async () => {
  await smtp.close();
  await flow.close();
});

const db = () => flow.testDb.db;

/** The member's queued mail; Intl's thin spaces around a date range read as spaces here. */
async function mailTo(email: string) {
  const rows = await db().selectFrom('email_outbox').select(['kind', 'subject', 'text_body', 'html_body']).where('to_address', '=', email).orderBy('created_at').orderBy('kind').execute();
  return rows.map((row) => ({ ...row, text_body: row.text_body.replace(/[\u2009\u202f]/g, ' ') }));
}

/** Every stored event processed again, as after a replay: nothing new may be owed to anyone. */
async function replayEverything() {
  await sql`UPDATE stripe_events SET status = 'pending', next_attempt_at = ${flow.now()}`.execute(db());
  await flow.settle();
}

test('a card payment: one receipt with the dues, the period they cover, the initiation fee and the method, even after a replay', async () => {
  const { member } = await flow.signUp({ name: 'Rosa Receipt', paymentMethod: 'pm_card_visa', amountCents: 2500, initiationFeeCents: 1000 });
  await flow.settle();
  await replayEverything();
  const mail = await mailTo(member.email);
  expect(mail.map((m) => m.kind)).toEqual(['member.receipt']);
  expect(mail[0]!.subject).toBe('Receipt: $35.00 to Flow Union');
  expect(mail[0]!.text_body).toContain('We received your payment of $35.00 by card on January 5, 2026.');
  expect(mail[0]!.text_body).toContain('Dues for January 5 – February 5, 2026: $25.00\nInitiation fee (one time): $10.00\nTotal paid: $35.00');
  expect(mail[0]!.text_body).toContain("Questions about your dues? Ask Flow Union's organizers or treasurer");
  expect(mail[0]!.text_body).toContain('http://gs.test/join/flow-union/manage?lang=en');
});

test('a bank debit in Spanish: "we started your payment" at once, the receipt when it clears, then a refund notice', async () => {
  const { member, clock, customer } = await flow.signUp({ name: 'María Débito', paymentMethod: 'pm_usBankAccount_success', amountCents: 2500 });
  await db().updateTable('members').set({ preferred_language: 'es' }).where('id', '=', member.id).execute();
  await flow.settle();
  expect((await mailTo(member.email)).map((m) => m.kind)).toEqual(['member.payment_started']);
  expect((await mailTo(member.email))[0]!.subject).toBe('Iniciamos su pago de cuotas de $25.00 a Flow Union');

  await flow.advanceTo(clock.id, START + 5 * DAY);
  await replayEverything();
  const afterClearing = await mailTo(member.email);
  expect(afterClearing.map((m) => m.kind)).toEqual(['member.payment_started', 'member.receipt']);
  expect(afterClearing[1]!.subject).toBe('Recibo: $25.00 a Flow Union');
  expect(afterClearing[1]!.text_body).toContain('Recibimos su pago de $25.00 por débito bancario el');
  expect(afterClearing[1]!.text_body).toContain('Cuotas del periodo 5 de enero – 5 de febrero de 2026: $25.00');

  const charge = (await flow.stripe.charges.list({ customer: customer.id })).data[0]!;
  await flow.stripe.refunds.create({ charge: charge.id, amount: 1000 });
  await flow.settle();
  await replayEverything();
  const all = await mailTo(member.email);
  expect(all.map((m) => m.kind)).toEqual(['member.payment_started', 'member.receipt', 'member.refund']);
  expect(all[2]!.subject).toBe('Reembolso de $10.00 de Flow Union');

  // As the member's mail program shows them, from a real SMTP server.
  smtp.received.length = 0;
  await deliverDueEmails(db(), smtpTransport(smtp.url), { from: 'dues@gs.test', now: flow.now() });
  const received = smtp.received.filter((m) => m.to && JSON.stringify(m.to).includes(member.email));
  expect(received.map((m) => m.subject)).toEqual(['Iniciamos su pago de cuotas de $25.00 a Flow Union', 'Recibo: $25.00 a Flow Union', 'Reembolso de $10.00 de Flow Union']);
  expect(received[1]!.text).toContain('Guarde este correo como su recibo.');
  expect(received[1]!.html).toContain('lang="es"');
  // And the first test's member's, in English.
  const english = smtp.received.find((m) => JSON.stringify(m.to).includes('rosa.receipt@example.org'));
  expect(english?.subject).toBe('Receipt: $35.00 to Flow Union');
  expect(english?.text).toContain('Keep this email as your receipt.');
});

test('a debit whose receipt is already queued gets no late "started" notice; a repeated one gets none either', async () => {
  const member = { id: 'm', name: 'Lee Late', email: 'lee.late@example.org', preferred_language: 'en' as const };
  const started = { organization: flow.organization, member, paymentIntentId: 'pi_late', amountCents: 2500, currency: 'usd' };
  await db().transaction().execute(async (trx) => {
    await enqueueEmailOnce(trx, { organizationId: flow.organization.id, kind: 'member.receipt', to: member.email, subject: 'Receipt', text: 'r', html: 'r', queuedAt: flow.now(), dedupeKey: 'receipt:ch_late' });
    expect(await queuePaymentStarted(trx, { ...started, chargeId: 'ch_late' }, { now: flow.now() })).toBe(false);
    expect(await queuePaymentStarted(trx, { ...started, paymentIntentId: 'pi_other', chargeId: 'ch_other' }, { now: flow.now() })).toBe(true);
    expect(await queuePaymentStarted(trx, { ...started, paymentIntentId: 'pi_other', chargeId: 'ch_other' }, { now: flow.now() })).toBe(false);
  });
  expect((await mailTo(member.email)).map((m) => m.kind).sort()).toEqual(['member.payment_started', 'member.receipt']);
});
