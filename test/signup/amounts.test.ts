import { readAmount } from '../../src/signup/amounts';

// How people type money in English and Spanish, and what is refused rather than guessed.
describe('readAmount', () => {
  test.each([
    ['1200', 120_000],
    ['1200.50', 120_050],
    ['1,200.50', 120_050],
    ['1.200,50', 120_050],
    ['1200,50', 120_050],
    ['12,5', 1250],
    ['12.5', 1250],
    ['15.', 1500],
    ['1 200', 120_000],
    ['1 200,50', 120_050],
    ['1\u00a0200,00', 120_000],
    ['$1,200', 120_000],
    ['USD 40', 4000],
    ['40 $', 4000],
    ['1,200', 120_000],
    ['1.200.000', 120_000_000],
    ['9999999', 999_999_900],
  ])('%s → %i cents', (text, cents) => {
    expect(readAmount(text)).toEqual({ ok: true, cents });
  });

  test.each([
    ['1.200', 'too_precise'],
    ['0.125', 'too_precise'],
    ['1,234.567', 'too_precise'],
    ['1.2.3', 'unreadable'],
    ['12 00', 'unreadable'],
    ['abc', 'unreadable'],
    ['1,20,000', 'unreadable'],
    ['-5', 'unreadable'],
    ['1.234,5,6', 'unreadable'],
    ['99999999999999999999', 'too_large'],
  ])('%s → refused: %s', (text, problem) => {
    expect(readAmount(text)).toEqual({ ok: false, problem });
  });
});
