import type { OrganizationField } from '../../organizations/settings';
import { ConsolePage, Csrf, ErrorSummary, Field, SelectField, TextArea, type Frame } from '../layout';

export type OrganizationErrors = Partial<Record<OrganizationField | 'logo', string>>;

/** January to December in the page's language, for the fiscal year's first month. */
function monthOptions(locale: string) {
  const name = new Intl.DateTimeFormat(locale, { month: 'long', timeZone: 'UTC' });
  return Array.from({ length: 12 }, (_, i) => ({ value: String(i + 1), label: name.format(Date.UTC(2000, i, 1)) }));
}

/** The organization's settings, its contact and privacy notice for the signup page, and its logo. */
export function OrganizationPage(props: { frame: Frame; values: Record<OrganizationField, string>; errors: OrganizationErrors; logoSrc: string | undefined }) {
  const { frame, values, errors } = props;
  const m = frame.session.m;
  const a = m.admin;
  const list = (Object.entries(errors) as Array<[string, string]>).map(([field, message]) => ({ field, message }));
  return (
    <ConsolePage {...frame} title={a.orgTitle}>
      <ErrorSummary m={m} errors={list} />
      <p>{a.orgIntro}</p>
      <form method="post" action="/console/organization" novalidate>
        <Csrf token={frame.session.csrf} />
        <fieldset>
          <legend>{a.orgTitle}</legend>
          <Field id="name" label={a.orgName} value={values.name} error={errors.name} autocomplete="organization" />
          <Field id="timeZone" label={a.orgTimeZone} value={values.timeZone} error={errors.timeZone} hint={a.orgTimeZoneHint} autocomplete="off" />
          <SelectField id="fiscalYearStartMonth" label={a.orgFiscalStart} value={values.fiscalYearStartMonth} error={errors.fiscalYearStartMonth} options={monthOptions(m.locale)} />
        </fieldset>
        <fieldset>
          <legend>{a.orgContactLegend}</legend>
          <Field id="contactPhone" label={a.orgPhone} type="tel" value={values.contactPhone} error={errors.contactPhone} autocomplete="off" />
          <Field id="contactEmail" label={a.orgEmail} type="email" value={values.contactEmail} error={errors.contactEmail} autocomplete="off" />
          <TextArea id="contactAddress" label={a.orgAddress} value={values.contactAddress} error={errors.contactAddress} />
        </fieldset>
        <fieldset>
          <legend>{a.orgPrivacyLegend}</legend>
          <p class="hint">{a.orgPrivacyHint}</p>
          <TextArea id="privacyEn" label={a.orgPrivacyEn} value={values.privacyEn} error={errors.privacyEn} rows={6} />
          <TextArea id="privacyEs" label={a.orgPrivacyEs} value={values.privacyEs} error={errors.privacyEs} rows={6} />
        </fieldset>
        <div class="actions">
          <button type="submit">{m.save}</button>
        </div>
      </form>
      <h2>{a.orgLogoLegend}</h2>
      {props.logoSrc ? <img class="logo" src={props.logoSrc} alt={a.orgLogoAlt(frame.session.organization.name)} /> : <p>{a.orgLogoNone}</p>}
      <form method="post" action="/console/organization/logo" enctype="multipart/form-data">
        <Csrf token={frame.session.csrf} />
        <label for="logo">{a.orgLogoFile}</label>
        {errors.logo ? (
          <p class="error" id="logo-error">
            {errors.logo}
          </p>
        ) : null}
        <input type="file" id="logo" name="logo" accept="image/png,image/jpeg" aria-describedby={errors.logo ? 'logo-error' : undefined} aria-invalid={errors.logo ? 'true' : undefined} />
        <div class="actions">
          <button type="submit" class="secondary">
            {a.orgLogoUpload}
          </button>
        </div>
      </form>
      {props.logoSrc ? (
        <form method="post" action="/console/organization/logo/remove">
          <Csrf token={frame.session.csrf} />
          <button type="submit" class="warning">
            {a.orgLogoRemove}
          </button>
        </form>
      ) : null}
    </ConsolePage>
  );
}
