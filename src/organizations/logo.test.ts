import { checkLogo, LOGO_MAX_BYTES, readUpload } from './logo';

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

describe('readUpload', () => {
  const multipart = (boundary: string, parts: string[]) => Buffer.from(`${parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('')}--${boundary}--\r\n`, 'latin1');

  test('fields and a file, the file byte for byte (a CRLF inside it kept)', () => {
    const body = multipart('XyZ', ['Content-Disposition: form-data; name="csrf"\r\n\r\ntoken-1', 'Content-Disposition: form-data; name="logo"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\u0089PNG\r\n\u001a\n\r\nrest']);
    const form = readUpload(body, 'multipart/form-data; boundary=XyZ');
    expect(form?.fields).toEqual({ csrf: 'token-1' });
    expect(form?.files.logo).toEqual(Buffer.from('\u0089PNG\r\n\u001a\n\r\nrest', 'latin1'));
  });

  test('a quoted boundary, and an empty file input', () => {
    const body = multipart('a b', ['Content-Disposition: form-data; name="logo"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n']);
    expect(readUpload(body, 'multipart/form-data; boundary="a b"')?.files.logo).toEqual(Buffer.alloc(0));
  });

  test.each([
    ['no boundary', Buffer.from('x'), 'multipart/form-data'],
    ['a body without its closing delimiter', Buffer.from('--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue'), 'multipart/form-data; boundary=B'],
    ['a part without a name', multipart('B', ['Content-Disposition: form-data\r\n\r\nvalue']), 'multipart/form-data; boundary=B'],
    ['JSON', Buffer.from('{"csrf":"x"}'), 'application/json'],
  ])('%s is not an upload', (_name, body, type) => {
    expect(readUpload(body, type)).toBeUndefined();
  });

  test('a url-encoded form gives its fields and no file', () => {
    expect(readUpload(Buffer.from('csrf=abc&x=1'), 'application/x-www-form-urlencoded')).toEqual({ fields: { csrf: 'abc', x: '1' }, files: {} });
  });
});
