import type { Plan } from '../../../db/database';
import type { AmountRule } from '../../plans/dues';
import { messagesFor as signupMessages } from '../../signup/i18n';
import { describeRule } from '../../signup/signup';
import { ConsolePage, Csrf, ErrorSummary, Field, SelectField, CheckField, TextArea, type Frame } from '../layout';

/** The fields of the plan forms; the new-plan form adds the rate's. */
export type PlanField =
  | 'name'
  | 'nameEs'
  | 'description'
  | 'descriptionEs'
  | 'bracketsEn'
  | 'bracketsEs'
  | 'displayOrder'
  | 'visibleOnSignup'
  | 'preselected'
  | 'interval'
  | 'kind'
  | 'amount'
  | 'percent'
  | 'brackets'
  | 'authorizationNote'
  | 'effectiveFrom';
export type PlanValues = Partial<Record<PlanField, string>>;
export type PlanErrors = Partial<Record<PlanField, string>>;

export interface PlanRow {
  plan: Plan;
  rule: AmountRule | undefined;
}

/** How the rate reads, in the console's language, with the signup page's own words for it. */
function rateText(frame: Frame, row: PlanRow): string {
  if (!row.rule) return frame.session.m.admin.planNoRate;
  const plan = row.plan;
  return describeRule(signupMessages(frame.session.language), { id: plan.id, name: plan.name, currency: plan.currency, period: { interval: plan.billing_interval, intervalCount: plan.billing_interval_count }, rule: row.rule, initiationFeeCents: null, stripeProductId: null, stripePriceId: null });
}

/** The plans in the signup page's order: what each shows, where, and whether it is preselected. */
export function PlansPage(props: { frame: Frame; rows: PlanRow[]; canEdit: boolean }) {
  const { frame } = props;
  const m = frame.session.m;
  const a = m.admin;
  return (
    <ConsolePage {...frame} title={a.plansTitle}>
      <p>{a.plansIntro}</p>
      {props.canEdit ? (
        <p>
          <a class="button" href="/console/plans/new">
            {a.planNew}
          </a>
        </p>
      ) : null}
      {props.rows.length === 0 ? (
        <p>{a.plansEmpty}</p>
      ) : (
        <table class="stack" aria-label={a.plansTitle}>
          <thead>
            <tr>
              <th scope="col">{a.planName}</th>
              <th scope="col">{a.planRate}</th>
              <th scope="col">{a.planOnSignup}</th>
              <th scope="col">{a.planStatus}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => {
              const { plan } = row;
              const shown = plan.status === 'archived' ? a.planArchivedShort : !plan.visible_on_signup ? a.planHidden : plan.preselected ? a.planShownPreselected(plan.display_order) : a.planShown(plan.display_order);
              return (
                <tr>
                  <th scope="row">
                    {props.canEdit ? <a href={`/console/plans/${plan.id}`}>{plan.name}</a> : plan.name}
                    {plan.translations.es?.name ? (
                      <span class="hint" lang="es">
                        {' '}
                        · {plan.translations.es.name}
                      </span>
                    ) : null}
                  </th>
                  <td data-label={a.planRate}>{rateText(frame, row)}</td>
                  <td data-label={a.planOnSignup}>{shown}</td>
                  <td data-label={a.planStatus}>{plan.status === 'archived' ? a.planArchivedShort : a.planActive}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </ConsolePage>
  );
}

function errorList(errors: PlanErrors) {
  return (Object.entries(errors) as Array<[PlanField, string]>).map(([field, message]) => ({ field, message }));
}

/** The words and place of a plan on the signup page: shared by the new and edit forms. */
function PresentationFields(props: { frame: Frame; values: PlanValues; errors: PlanErrors; brackets: number }) {
  const { values, errors } = props;
  const a = props.frame.session.m.admin;
  return (
    <>
      <fieldset>
        <legend>{a.planWordsLegend}</legend>
        <Field id="name" label={a.planNameEn} value={values.name} error={errors.name} autocomplete="off" />
        <Field id="nameEs" label={a.planNameEs} value={values.nameEs} error={errors.nameEs} hint={a.planFallbackHint} autocomplete="off" />
        <TextArea id="description" label={a.planDescriptionEn} value={values.description} error={errors.description} />
        <TextArea id="descriptionEs" label={a.planDescriptionEs} value={values.descriptionEs} error={errors.descriptionEs} hint={a.planFallbackHint} />
        {props.brackets > 0 ? (
          <>
            <TextArea id="bracketsEn" label={a.planBracketsEn} value={values.bracketsEn} error={errors.bracketsEn} hint={a.planBracketsHint(props.brackets)} />
            <TextArea id="bracketsEs" label={a.planBracketsEs} value={values.bracketsEs} error={errors.bracketsEs} hint={a.planBracketsHint(props.brackets)} />
          </>
        ) : null}
      </fieldset>
      <fieldset>
        <legend>{a.planSignupLegend}</legend>
        <Field id="displayOrder" label={a.planOrder} value={values.displayOrder} error={errors.displayOrder} hint={a.planOrderHint} inputMode="numeric" autocomplete="off" />
        <CheckField id="visibleOnSignup" label={a.planVisible} checked={values.visibleOnSignup === 'yes'} />
        <CheckField id="preselected" label={a.planPreselected} checked={values.preselected === 'yes'} hint={a.planPreselectedHint} />
      </fieldset>
    </>
  );
}

export function PlanEditPage(props: { frame: Frame; plan: Plan; rule: AmountRule | undefined; values: PlanValues; errors: PlanErrors }) {
  const { frame, plan } = props;
  const m = frame.session.m;
  const a = m.admin;
  const brackets = props.rule?.kind === 'income_brackets' ? props.rule.brackets.length : 0;
  return (
    <ConsolePage {...frame} title={a.planEditTitle(plan.name)}>
      <ErrorSummary m={m} errors={errorList(props.errors)} />
      <p>{props.rule ? `${a.planRate}: ${rateText(frame, { plan, rule: props.rule })}` : a.planNoRate}</p>
      <form method="post" action={`/console/plans/${plan.id}`} novalidate>
        <Csrf token={frame.session.csrf} />
        <PresentationFields frame={frame} values={props.values} errors={props.errors} brackets={brackets} />
        <div class="actions">
          <button type="submit">{m.save}</button>
          <a href="/console/plans">{m.cancel}</a>
        </div>
      </form>
      {plan.status === 'active' ? (
        <form method="post" action={`/console/plans/${plan.id}/archive`}>
          <Csrf token={frame.session.csrf} />
          <h2>{a.planArchiveTitle}</h2>
          <p>{a.planArchiveNote}</p>
          <button type="submit" class="warning">
            {a.planArchive}
          </button>
        </form>
      ) : (
        <p class="notice">{a.planArchivedNote}</p>
      )}
    </ConsolePage>
  );
}

export function PlanNewPage(props: { frame: Frame; values: PlanValues; errors: PlanErrors }) {
  const { frame, values, errors } = props;
  const m = frame.session.m;
  const a = m.admin;
  return (
    <ConsolePage {...frame} title={a.planNew}>
      <ErrorSummary m={m} errors={errorList(errors)} />
      <form method="post" action="/console/plans" novalidate>
        <Csrf token={frame.session.csrf} />
        <fieldset>
          <legend>{a.planRateLegend}</legend>
          <SelectField id="interval" label={a.planInterval} value={values.interval} error={errors.interval} options={(['month', 'week', 'year'] as const).map((value) => ({ value, label: a.intervals[value] }))} />
          <SelectField id="kind" label={a.planKind} value={values.kind} error={errors.kind} options={(['flat', 'percent_of_wages', 'income_brackets'] as const).map((value) => ({ value, label: a.planKinds[value] }))} />
          <Field id="amount" label={a.planAmount} value={values.amount} error={errors.amount} hint={a.planAmountHint} inputMode="numeric" autocomplete="off" />
          <Field id="percent" label={a.planPercent} value={values.percent} error={errors.percent} hint={a.planPercentHint} autocomplete="off" />
          <TextArea id="brackets" label={a.planBrackets} value={values.brackets} error={errors.brackets} hint={a.planBracketsFormat} />
          <Field id="effectiveFrom" label={a.planEffectiveFrom} type="date" value={values.effectiveFrom} error={errors.effectiveFrom} hint={a.planEffectiveFromHint} />
          <TextArea id="authorizationNote" label={a.planAuthorization} value={values.authorizationNote} error={errors.authorizationNote} hint={a.planAuthorizationHint} />
        </fieldset>
        <PresentationFields frame={frame} values={values} errors={errors} brackets={0} />
        <div class="actions">
          <button type="submit">{a.planCreate}</button>
          <a href="/console/plans">{m.cancel}</a>
        </div>
      </form>
    </ConsolePage>
  );
}
