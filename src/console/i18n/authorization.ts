// The dues authorization page's words, in English and Spanish (the catalogues carry them as `authorization`).

const members = (count: number) => `${count} ${count === 1 ? 'member' : 'members'}`;
const miembros = (count: number) => `${count} ${count === 1 ? 'miembro' : 'miembros'}`;

export const authorizationEn = {
  nav: 'Dues authorization',
  title: 'Dues authorization',
  intro: 'The text members accept on the signup page when they authorize their dues, in English and Spanish. Publishing makes a new version; each member keeps the version they signed.',
  current: (version: number) => `In force: version ${version}`,
  builtIn: 'In force: the built-in text (version 1), not yet changed',
  english: 'English text',
  spanish: 'Spanish text',
  textError: 'Write the whole authorization a member accepts (20 to 5,000 characters)',
  publish: 'Publish as a new version',
  versionsTitle: 'Versions and who signed them',
  versionColumn: 'Version',
  publishedColumn: 'Published',
  signedColumn: 'Signed by',
  builtInPublished: 'Built in',
  signed: (count: number) => members(count),
  seeSigners: (version: number) => `Members who signed version ${version}`,
  signersTitle: (version: number) => `Signed version ${version}`,
  signersEmpty: 'No member has signed this version.',
  signersFirst: (shown: number, total: number) => `The latest ${shown} of ${members(total)}.`,
  memberColumn: 'Member',
  languageColumn: 'Language signed in',
  signedAtColumn: 'Signed',
  back: 'All versions',
  published: (version: number) => `Version ${version} of the dues authorization is published; new members sign it from now on.`,
};

export type AuthorizationMessages = typeof authorizationEn;

export const authorizationEs: AuthorizationMessages = {
  nav: 'Autorización de cuotas',
  title: 'Autorización de cuotas',
  intro: 'El texto que los miembros aceptan en la página de afiliación al autorizar sus cuotas, en inglés y en español. Publicar crea una versión nueva; cada miembro conserva la versión que firmó.',
  current: (version: number) => `Vigente: versión ${version}`,
  builtIn: 'Vigente: el texto incluido (versión 1), aún sin cambios',
  english: 'Texto en inglés',
  spanish: 'Texto en español',
  textError: 'Escriba la autorización completa que acepta el miembro (de 20 a 5000 caracteres)',
  publish: 'Publicar como nueva versión',
  versionsTitle: 'Versiones y quién las firmó',
  versionColumn: 'Versión',
  publishedColumn: 'Publicada',
  signedColumn: 'Firmada por',
  builtInPublished: 'Incluida',
  signed: (count: number) => miembros(count),
  seeSigners: (version: number) => `Miembros que firmaron la versión ${version}`,
  signersTitle: (version: number) => `Firmaron la versión ${version}`,
  signersEmpty: 'Ningún miembro ha firmado esta versión.',
  signersFirst: (shown: number, total: number) => `Los ${shown} más recientes de ${miembros(total)}.`,
  memberColumn: 'Miembro',
  languageColumn: 'Idioma en que firmó',
  signedAtColumn: 'Firmada',
  back: 'Todas las versiones',
  published: (version: number) => `Se publicó la versión ${version} de la autorización de cuotas; los nuevos miembros la firman desde ahora.`,
};
