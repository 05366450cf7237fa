import type { PlanTranslations } from '../../db/database-admin';
import type { AmountRule } from './dues';
import { bracketLabelProblems, newPlanSchema, planInLanguage, versionOn } from './plans';

describe('versionOn', () => {
  const versions = [
    { version: 1, effective_from: '2025-01-01' },
    { version: 3, effective_from: '2027-01-01' },
    { version: 2, effective_from: '2026-07-01' },
  ];
  test.each([
    ['2024-12-31', undefined],
    ['2025-01-01', 1],
    ['2026-06-30', 1],
    ['2026-07-01', 2],
    ['2026-12-31', 2],
    ['2027-01-01', 3],
    ['2030-01-01', 3],
  ])('on %s the version in force is %s', (day, expected) => {
    expect(versionOn(versions, day)?.version).toBe(expected);
  });
});

describe('newPlanSchema', () => {
  const base = { name: 'Regular', interval: 'month', amountRule: { kind: 'flat', amountCents: 2500 }, authorizationNote: 'Membership vote of 2026-10-01' };
  test.each([
    ['a flat monthly plan', base, true],
    ['biweekly is week × 2', { ...base, interval: 'week', intervalCount: 2 }, true],
    ['monthly × 2 is refused', { ...base, intervalCount: 2 }, false],
    ['hours of pay must be monthly', { ...base, interval: 'year', amountRule: { kind: 'hours_of_pay', hoursHundredths: 250 } }, false],
    ['a maximum below the minimum is refused', { ...base, amountRule: { kind: 'percent_of_wages', basisPoints: 210, minimumCents: 7500, maximumCents: 2500 } }, false],
    ['a rate without the vote that set it is refused', { ...base, authorizationNote: '' }, false],
    ['money as a float is refused', { ...base, amountRule: { kind: 'flat', amountCents: 25.5 } }, false],
  ])('%s', (_name, input, valid) => {
    expect(newPlanSchema.safeParse(input).success).toBe(valid);
  });
});

describe('planInLanguage', () => {
  const brackets = { kind: 'income_brackets' as const, brackets: [{ label: 'Under $25,000', amountCents: 1000 }, { label: 'Over $25,000', amountCents: 2000 }] };
  const plan = { name: 'Sliding scale', description: 'By income', translations: { es: { name: 'Escala', bracketLabels: ['Menos de $25,000', 'Más de $25,000'] } } };
  test.each([
    ['Spanish where written', 'es', 'Escala', 'By income', ['Menos de $25,000', 'Más de $25,000']],
    ['the base text in a language with none', 'en', 'Sliding scale', 'By income', ['Under $25,000', 'Over $25,000']],
  ] as const)('%s', (_name, language, name, description, labels) => {
    const words = planInLanguage(plan, brackets, language);
    expect(words.name).toBe(name);
    expect(words.description).toBe(description);
    expect(words.rule.kind === 'income_brackets' && words.rule.brackets.map((b) => b.label)).toEqual(labels);
    expect(words.rule.kind === 'income_brackets' && words.rule.brackets.map((b) => b.amountCents)).toEqual([1000, 2000]);
  });

  test('labels that no longer match the brackets (a new version added one) fall back to the base labels', () => {
    const three = { ...brackets, brackets: [...brackets.brackets, { label: 'Over $50,000', amountCents: 3000 }] };
    const words = planInLanguage(plan, three, 'es');
    expect(words.rule.kind === 'income_brackets' && words.rule.brackets.map((b) => b.label)).toEqual(['Under $25,000', 'Over $25,000', 'Over $50,000']);
  });
});

describe('bracketLabelProblems', () => {
  const rule = { kind: 'income_brackets' as const, brackets: [{ label: 'A', amountCents: 1000 }, { label: 'B', amountCents: 2000 }] };
  test.each([
    ['no labels', {}, rule, []],
    ['one per bracket', { es: { bracketLabels: ['a', 'b'] } }, rule, []],
    ['one short', { es: { bracketLabels: ['a'] }, en: { bracketLabels: ['a', 'b'] } }, rule, ['es']],
    ['labels on a flat plan', { en: { bracketLabels: ['a'] } }, { kind: 'flat' as const, amountCents: 100 }, ['en']],
  ] as Array<[string, PlanTranslations, AmountRule, string[]]>)('%s', (_name, translations, r, wrong) => {
    expect(bracketLabelProblems(translations, r)).toEqual(wrong);
  });
});
