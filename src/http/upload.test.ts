import { decodeText } from './upload';

describe('an uploaded file as text', () => {
  test.each([
    ['UTF-8', Buffer.from('Fecha;Concepto\n03/11/2026;Cuota María\n', 'utf8'), 'Fecha;Concepto\n03/11/2026;Cuota María\n'],
    // Accented letters, as a Latin-1 export writes them (Node's decoder reads 0x80–0x9F as Latin-1's, not Windows-1252's).
    ['Latin-1 (a bank export that is not UTF-8)', Buffer.from([0x4d, 0x61, 0x72, 0xed, 0x61, 0x20, 0x4e, 0xfa, 0xf1, 0x65, 0x7a]), 'María Núñez'],
  ])('%s', (_name, bytes, expected) => {
    expect(decodeText(new Uint8Array(bytes))).toBe(expected);
  });
});
