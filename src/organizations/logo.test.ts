import { checkLogo, LOGO_MAX_BYTES } from './logo';

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

describe('checkLogo', () => {
  test.each([
    ['a PNG', PNG_1X1, { ok: true, type: 'image/png' }],
    ['a JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), { ok: true, type: 'image/jpeg' }],
    ['an SVG (it can carry script)', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), { ok: false, problem: 'not_an_image' }],
    ['HTML named logo.png', Buffer.from('<html><script>alert(1)</script>'), { ok: false, problem: 'not_an_image' }],
    ['the PNG signature alone', PNG_1X1.subarray(0, 8), { ok: false, problem: 'not_an_image' }],
    ['nothing', Buffer.alloc(0), { ok: false, problem: 'missing' }],
    ['no file at all', undefined, { ok: false, problem: 'missing' }],
    ['a PNG over 200 KB', Buffer.concat([PNG_1X1, Buffer.alloc(LOGO_MAX_BYTES)]), { ok: false, problem: 'too_large' }],
  ])('%s', (_name, bytes, expected) => {
    expect(checkLogo(bytes)).toEqual(expected);
  });
});

