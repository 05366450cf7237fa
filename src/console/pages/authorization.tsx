import type { Language } from '../../../db/database';
import { formatInstant } from '../i18n';
import { ConsolePage, Csrf, ErrorSummary, TextArea, type Frame } from '../layout';


export interface AuthorizationVersion {
  version: number;
  published_at: Date | null;
  signed: number;
}

/** The authorization in force in both languages, a new version to publish, and every version with how many signed it. */
export function AuthorizationPage(props: { frame: Frame; version: number; builtIn: boolean; texts: Record<'en' | 'es', string>; errors: Partial<Record<'en' | 'es', string>>; versions: AuthorizationVersion[] }) {
  const { frame } = props;
  const m = frame.session.m;
  const a = m.authorization;
  const zone = frame.session.organization.timeZone;
  return (
    <ConsolePage {...frame} title={a.title}>
      <ErrorSummary m={m} errors={(['en', 'es'] as const).flatMap((field) => (props.errors[field] ? [{ field, message: props.errors[field] }] : []))} />
      <p>{a.intro}</p>
      <p>
        <strong>{props.builtIn ? a.builtIn : a.current(props.version)}</strong>
      </p>
      <form method="post" action="/console/authorization" class="panel" novalidate>
        <Csrf token={frame.session.csrf} />
        <TextArea id="en" label={a.english} value={props.texts.en} error={props.errors.en} lang="en" rows={8} />
        <TextArea id="es" label={a.spanish} value={props.texts.es} error={props.errors.es} lang="es" rows={8} />
        <div class="actions">
          <button type="submit">{a.publish}</button>
        </div>
      </form>
      <h2>{a.versionsTitle}</h2>
      <table class="stack">
        <caption class="visually-hidden">{a.versionsTitle}</caption>
        <thead>
          <tr>
            <th scope="col">{a.versionColumn}</th>
            <th scope="col">{a.publishedColumn}</th>
            <th scope="col">{a.signedColumn}</th>
          </tr>
        </thead>
        <tbody>
          {props.versions.map((v) => (
            <tr>
              <th scope="row">{v.version}</th>
              <td data-label={a.publishedColumn}>{v.published_at ? formatInstant(m, v.published_at, zone) : a.builtInPublished}</td>
              <td data-label={a.signedColumn}>
                <a href={`/console/authorization/versions/${v.version}`} aria-label={`${a.signed(v.signed)}: ${a.seeSigners(v.version)}`}>
                  {a.signed(v.signed)}
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ConsolePage>
  );
}

/** The members who signed one version. */
export function AuthorizationSignersPage(props: { frame: Frame; version: number; total: number; signers: Array<{ id: string; name: string; language: Language; accepted_at: Date | string }> }) {
  const { frame } = props;
  const m = frame.session.m;
  const a = m.authorization;
  const zone = frame.session.organization.timeZone;
  return (
    <ConsolePage {...frame} title={a.signersTitle(props.version)}>
      <p>
        <a href="/console/authorization">{a.back}</a>
      </p>
      {props.signers.length === 0 ? (
        <p>{a.signersEmpty}</p>
      ) : (
        <>
          {props.signers.length < props.total ? <p>{a.signersFirst(props.signers.length, props.total)}</p> : null}
          <table class="stack">
            <caption class="visually-hidden">{a.signersTitle(props.version)}</caption>
            <thead>
              <tr>
                <th scope="col">{a.memberColumn}</th>
                <th scope="col">{a.languageColumn}</th>
                <th scope="col">{a.signedAtColumn}</th>
              </tr>
            </thead>
            <tbody>
              {props.signers.map((signer) => (
                <tr>
                  <th scope="row">
                    <a href={`/console/members/${signer.id}`}>{signer.name}</a>
                  </th>
                  <td data-label={a.languageColumn}>{m.languages[signer.language]}</td>
                  <td data-label={a.signedAtColumn}>{formatInstant(m, new Date(signer.accepted_at), zone)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </ConsolePage>
  );
}
