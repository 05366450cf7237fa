import { checkoutSessionParams } from './checkout';
import { formatBasisPoints, formatMoney, messagesFor } from './i18n';
import { describeRule, factField, feeShareBasisPoints, formValues, pickLanguage, processingFeeCents, readSignupForm, valuesFromSignup, type SignupPlan } from './signup';
import { checkCsrf, csrfToken, draftToken, newNonce, readCookie, readDraftToken } from './tokens';

const en = messagesFor('en');
const es = messagesFor('es');

const plan = (rule: SignupPlan['rule'], extra: Partial<SignupPlan> = {}): SignupPlan => ({
  id: '11111111-1111-4111-8111-111111111111',
  name: 'Plan',
  currency: 'usd',
  period: { interval: 'month', intervalCount: 1 },
  rule,
  initiationFeeCents: null,
  stripeProductId: 'prod_1',
  stripePriceId: null,
  ...extra,
});

describe('pickLanguage', () => {
  test.each([
    [undefined, undefined, 'en'],
    [undefined, 'es-MX,es;q=0.9', 'es'],
    [undefined, 'fr-FR,es;q=0.8,en;q=0.7', 'es'],
    [undefined, 'en;q=0.4,es;q=0.6', 'es'],
    [undefined, 'de,fr', 'en'],
    [undefined, 'es;q=0', 'en'],
    ['en', 'es', 'en'],
    ['es', 'en', 'es'],
    ['xx', 'es', 'es'],
  ])('?lang=%s, Accept-Language %s → %s', (requested, header, expected) => {
    expect(pickLanguage(requested, header)).toBe(expected);
  });
});

describe('processing fees (integer cents, half up)', () => {
  test.each([
    ['card', 300, 39],
    ['us_bank_account', 300, 2],
    ['card', 3000, 117],
    ['us_bank_account', 3000, 24],
    ['us_bank_account', 62_500, 500],
    ['us_bank_account', 100_000, 500],
    ['card', 50, 31],
    ['us_bank_account', 0, 0],
  ] as const)('%s on %i cents → %i', (method, dues, fee) => {
    expect(processingFeeCents(method, dues)).toBe(fee);
  });

  test.each([
    [39, 300, 1300],
    [2, 300, 70],
    [117, 3000, 390],
    [24, 3000, 80],
    [0, 0, 0],
  ])('%i of %i → %i basis points', (fee, dues, share) => {
    expect(feeShareBasisPoints(fee, dues)).toBe(share);
  });
});

describe('formatting', () => {
  test.each([
    [0, 'usd', '$0.00'],
    [5, 'usd', '$0.05'],
    [123_456_78, 'usd', '$123,456.78'],
    [1000, 'eur', '10.00 EUR'],
  ])('%i %s → %s', (cents, currency, text) => expect(formatMoney(cents, currency)).toBe(text));

  test.each([
    [150, '1.5%'],
    [1300, '13%'],
    [1290, '12.9%'],
    [5, '0.05%'],
  ])('%i bp → %s', (bp, text) => expect(formatBasisPoints(bp)).toBe(text));
});

describe('describeRule', () => {
  test.each([
    [{ kind: 'flat', amountCents: 2500 }, '$25.00 a month', '$25.00 al mes'],
    [{ kind: 'percent_of_wages', basisPoints: 200 }, '2% of your gross wages, a month', '2% de su salario bruto, al mes'],
    [{ kind: 'hours_of_pay', hoursHundredths: 250 }, '2.5 hours of your pay, a month', '2.5 horas de su pago, al mes'],
    [{ kind: 'member_chosen', minimumCents: 500, suggestedCents: [] }, 'you choose the amount, at least $5.00 a month', 'usted elige el monto, mínimo $5.00 al mes'],
  ] as Array<[SignupPlan['rule'], string, string]>)('%j', (rule, english, spanish) => {
    expect(describeRule(en, plan(rule))).toBe(english);
    expect(describeRule(es, plan(rule))).toBe(spanish);
  });

  test('billing every two weeks', () => {
    expect(describeRule(en, plan({ kind: 'flat', amountCents: 1000 }, { period: { interval: 'week', intervalCount: 2 } }))).toBe('$10.00 every 2 weeks');
    expect(describeRule(es, plan({ kind: 'flat', amountCents: 1000 }, { period: { interval: 'week', intervalCount: 2 } }))).toBe('$10.00 cada 2 semanas');
  });
});

describe('readSignupForm', () => {
  const percent = plan({ kind: 'percent_of_wages', basisPoints: 150, minimumCents: 1500, maximumCents: 8000 });
  const base = {
    name: 'Ana',
    email: 'ana@example.org',
    plan: percent.id,
    [factField(percent.id, 'grossWageCents')]: '1,200.00',
    [factField(percent.id, 'payFrequency')]: 'biweekly',
    paymentMethod: 'card',
    authorization: 'yes',
    authorizationVersion: '3',
  };

  test('a valid form: trimmed text, blank optional fields as null, wage facts kept for the plan only, dues computed', () => {
    const result = readSignupForm(en, { ...base, name: '  Ana  ', phone: ' ', [factField(percent.id, 'hourlyWageCents')]: '20' }, [percent], 3);
    expect(result).toEqual({
      ok: true,
      input: { name: 'Ana', email: 'ana@example.org', phone: null, employer: null, worksite: null, plan: percent, wageFacts: { grossWageCents: 120_000, payFrequency: 'biweekly' }, duesCents: 3900, paymentMethod: 'card' },
    });
  });

  test.each([
    [{ name: '' }, 'name', en.errors.name],
    [{ name: 'x'.repeat(201) }, 'name', 'Full name: at most 200 characters (this one has 201).'],
    [{ employer: 'x'.repeat(10_000) }, 'employer', 'Employer: at most 200 characters (this one has 10,000).'],
    [{ email: 'ana@' }, 'email', en.errors.email],
    [{ phone: '1'.repeat(41) }, 'phone', en.errors.phone],
    [{ plan: 'other' }, 'plan', en.errors.plan],
    [{ [factField(percent.id, 'grossWageCents')]: '' }, factField(percent.id, 'grossWageCents'), en.errors.grossWageCents],
    [{ [factField(percent.id, 'grossWageCents')]: '12.345' }, factField(percent.id, 'grossWageCents'), en.errors.amountTooPrecise],
    [{ [factField(percent.id, 'grossWageCents')]: '9999999' }, factField(percent.id, 'grossWageCents'), 'That is more than $1,000,000.00. Please check the amount.'],
    [{ [factField(percent.id, 'grossWageCents')]: '12 00' }, factField(percent.id, 'grossWageCents'), 'We could not read that as an amount. Write it in numbers, like 850.00.'],
    [{ [factField(percent.id, 'payFrequency')]: 'hourly' }, factField(percent.id, 'payFrequency'), en.errors.payFrequency],
    [{ paymentMethod: 'cash' }, 'paymentMethod', en.errors.paymentMethod],
    [{ authorization: '' }, 'authorization', en.errors.authorization],
    [{ authorizationVersion: '2' }, 'authorization', en.errors.authorizationChanged],
  ])('%j → error on %s', (change, field, message) => {
    const result = readSignupForm(en, { ...base, ...change }, [percent], 3);
    expect(result).toEqual({ ok: false, errors: { [field]: message } });
  });

  test('member-chosen amounts between the minimum and the maximum; brackets by index', () => {
    const chosen = plan({ kind: 'member_chosen', minimumCents: 300, maximumCents: 5000, suggestedCents: [] });
    const form = (amount: string) => readSignupForm(es, { ...base, plan: chosen.id, [factField(chosen.id, 'chosenAmountCents')]: amount }, [chosen], 3);
    expect(form('2.99')).toEqual({ ok: false, errors: { [factField(chosen.id, 'chosenAmountCents')]: 'El monto debe ser al menos $3.00.' } });
    expect(form('50.01')).toEqual({ ok: false, errors: { [factField(chosen.id, 'chosenAmountCents')]: 'El monto debe ser como máximo $50.00.' } });
    expect(form('$3')).toMatchObject({ ok: true, input: { duesCents: 300 } });
    // As Spanish speakers write it too: a decimal comma, a space between thousands.
    expect(form('12,50')).toMatchObject({ ok: true, input: { duesCents: 1250 } });
    const sliding = plan({ kind: 'income_brackets', brackets: [{ label: 'Low', amountCents: 500 }, { label: 'High', amountCents: 2000 }] });
    const bracket = (index: string) => readSignupForm(en, { ...base, plan: sliding.id, [factField(sliding.id, 'bracket')]: index }, [sliding], 3);
    expect(bracket('1')).toMatchObject({ ok: true, input: { duesCents: 2000, wageFacts: { bracket: 1 } } });
    expect(bracket('2')).toEqual({ ok: false, errors: { [factField(sliding.id, 'bracket')]: en.errors.bracket } });
  });

  test('a stored signup fills the form back in, amounts as decimals', () => {
    const values = valuesFromSignup(
      { name: 'Ana', email: 'ana@example.org', phone: null, employer: 'Acme', worksite: null, plan_id: percent.id, wage_facts: { grossWageCents: 120_050, payFrequency: 'weekly' } },
      'card',
    );
    expect(values).toMatchObject({ name: 'Ana', employer: 'Acme', phone: '', plan: percent.id, paymentMethod: 'card', [factField(percent.id, 'grossWageCents')]: '1200.50', [factField(percent.id, 'payFrequency')]: 'weekly' });
  });

  test('formValues keeps strings only, the last of repeated fields, and no NULs', () => {
    expect(formValues({ a: 'x\u0000y', b: ['1', '2'], c: { nested: true } })).toEqual({ a: 'xy', b: '2' });
    expect(formValues(undefined)).toEqual({});
  });
});

describe('checkoutSessionParams', () => {
  const request = {
    organizationId: 'org-1',
    memberId: 'member-1',
    customerId: 'cus_1',
    paymentMethod: 'us_bank_account' as const,
    language: 'es' as const,
    initiationFeeName: 'Cuota de iniciación (una sola vez)',
    successUrl: 'https://gs.test/join/x/welcome',
    cancelUrl: 'https://gs.test/join/x/cancelled',
  };

  test('a flat plan at its own rate uses its Price; the initiation fee is a one-time line named as such in the member’s language', () => {
    const flat = { ...plan({ kind: 'flat', amountCents: 3000 }, { stripePriceId: 'price_1', initiationFeeCents: 1000 }), stripeProductId: 'prod_1' };
    const params = checkoutSessionParams({ ...request, plan: flat, duesCents: 3000 });
    expect(params).toEqual({
      mode: 'subscription',
      customer: 'cus_1',
      client_reference_id: 'member-1',
      line_items: [{ price: 'price_1', quantity: 1 }, { price_data: { currency: 'usd', product_data: { name: 'Cuota de iniciación (una sola vez)' }, unit_amount: 1000 }, quantity: 1 }],
      allowed_payment_method_types: ['us_bank_account'],
      locale: 'es',
      metadata: { gs_organization_id: 'org-1', gs_member_id: 'member-1', gs_plan_id: flat.id },
      subscription_data: { metadata: { gs_organization_id: 'org-1', gs_member_id: 'member-1', gs_plan_id: flat.id } },
      success_url: request.successUrl,
      cancel_url: request.cancelUrl,
    });
  });

  test('a computed rate is an inline recurring price of the member’s dues', () => {
    const weekly = { ...plan({ kind: 'percent_of_wages', basisPoints: 100 }, { period: { interval: 'week', intervalCount: 2 } }), stripeProductId: 'prod_2' };
    const params = checkoutSessionParams({ ...request, plan: weekly, duesCents: 2345, paymentMethod: 'card' });
    expect(params.line_items).toEqual([{ price_data: { currency: 'usd', product: 'prod_2', unit_amount: 2345, recurring: { interval: 'week', interval_count: 2 } }, quantity: 1 }]);
    expect(params.allowed_payment_method_types).toEqual(['card']);
  });
});

describe('tokens', () => {
  const secret = 'a-test-secret-of-enough-length-0123456789';
  const now = new Date('2026-11-24T12:00:00Z');
  const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

  test('CSRF: valid with its own cookie nonce, for four hours', () => {
    const nonce = newNonce();
    const token = csrfToken(secret, nonce, now);
    expect(checkCsrf(secret, nonce, token, later(3600))).toBe(true);
    expect(checkCsrf(secret, nonce, token, later(4 * 3600 + 1))).toBe(false);
    expect(checkCsrf(secret, newNonce(), token, now)).toBe(false);
    expect(checkCsrf(secret, undefined, token, now)).toBe(false);
    expect(checkCsrf('another-secret-of-enough-length-012345678', nonce, token, now)).toBe(false);
    expect(checkCsrf(secret, nonce, token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), now)).toBe(false);
    expect(checkCsrf(secret, nonce, undefined, now)).toBe(false);
  });

  test('draft tokens name a consent for two hours and cannot be altered', () => {
    const id = '22222222-2222-4222-8222-222222222222';
    const token = draftToken(secret, id, now);
    expect(readDraftToken(secret, token, later(7000))).toBe(id);
    expect(readDraftToken(secret, token, later(7201))).toBeUndefined();
    expect(readDraftToken(secret, token.replace('2222', '3333'), now)).toBeUndefined();
    expect(readDraftToken(secret, 'junk', now)).toBeUndefined();
  });

  test('readCookie', () => {
    expect(readCookie('a=1; gs_signup_csrf=abc=; b=2', 'gs_signup_csrf')).toBe('abc=');
    expect(readCookie(undefined, 'x')).toBeUndefined();
  });
});
