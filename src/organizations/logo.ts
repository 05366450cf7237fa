// An organization's logo: a PNG or JPEG of at most 200 KB, known by its first bytes (never
// by the name or type the browser claims), stored in the database and served from our origin.

export const LOGO_MAX_BYTES = 200 * 1024;
export type LogoType = 'image/png' | 'image/jpeg';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);

/** The image type the bytes begin with; undefined for anything but PNG and JPEG (SVG can carry script: refused). */
export function logoType(bytes: Buffer): LogoType | undefined {
  if (bytes.length > PNG.length && bytes.subarray(0, PNG.length).equals(PNG)) return 'image/png';
  if (bytes.length > JPEG.length && bytes.subarray(0, JPEG.length).equals(JPEG)) return 'image/jpeg';
  return undefined;
}

export type LogoCheck = { ok: true; type: LogoType } | { ok: false; problem: 'missing' | 'too_large' | 'not_an_image' };

export function checkLogo(bytes: Buffer | undefined): LogoCheck {
  if (!bytes || bytes.length === 0) return { ok: false, problem: 'missing' };
  if (bytes.length > LOGO_MAX_BYTES) return { ok: false, problem: 'too_large' };
  const type = logoType(bytes);
  return type ? { ok: true, type } : { ok: false, problem: 'not_an_image' };
}

