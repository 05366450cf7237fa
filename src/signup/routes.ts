import type { Request, RequestHandler, Response } from 'express';
import type { Language, Organization } from '../../db/database';
import type { AppContext } from '../context';
import { ApiError, errorBody } from '../http/errors';
import { addressKey, WindowCounter } from '../http/rate-limit';
import type { RouteDefinition } from '../http/routes';
import { todayIn } from '../organizations/calendar';
import { startMemberSession } from '../member-page/routes';
import { authorizationRoutes } from './authorization-routes';
import { messagesFor, type Messages } from './i18n';
import { COSTLY_ACTIONS_PER_NETWORK, EMAILS_PER_ADDRESS, requestManageLink, requestSignup, startSignup } from './join';
import { confirmForm, joinForm, manageForm, messagePage, openManageForm, type PageFrame, type SignupAbout } from './page';
import { findOrganizationBySlug, logoVersion } from '../organizations/queries';
import { privacyNoticeIn } from '../organizations/settings';
import { consumeManageLink, currentAuthorization, findJoinConfirmation, findPendingSignup, findWelcomeFacts, markJoinConfirmationUsed, signupPlans, type Authorization } from './queries';
import { duesFromForm, formValues, isEmail, pickLanguage, readSignupForm, signupFacts, valuesFromSignup, type FieldErrors, type FormValues, type SignupPlan } from './signup';
import { SIGNUP_CSS, SIGNUP_CSS_ETAG } from './styles';
import { welcomeDetails } from './welcome';
import { csrfPosted, hashLinkToken, issueCsrfToken, readDraftToken } from './tokens';

/** What the page shows about an organization; read through a short cache on GET, fresh on POST. */
interface Storefront {
  organization: Organization;
  /** The plans offered, in each language. */
  plans: Record<Language, SignupPlan[]>;
  authorizations: Record<Language, Authorization>;
  /** The logo's fingerprint, when the organization has one. */
  logo: string | undefined;
  /** The blank form per language, rendered once and split where each visitor's CSRF token goes. */
  blankForms: Partial<Record<Language, string[]>>;
}

// A character no rendered page contains, marking where the CSRF token goes in a cached blank form.
const CSRF_SLOT = '\u0000';

// Long enough to absorb a crowd opening the link at a meeting, short enough that a staff change shows at once.
const STOREFRONT_TTL_MS = 5_000;
const STOREFRONT_CACHE_LIMIT = 1_000;

// Browsers ask for text/html and send forms; anything else (API clients, scripts) gets the JSON error shape.
export const wantsHtml = (req: Request): boolean =>
  (req.headers.accept ?? '').includes('text/html') || (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');

/** How many form posts this network has sent in the current window, counted by `countSignupPosts`. */
interface PostCount {
  allowed: boolean;
  retryAfterSeconds: number;
}

/**
 * Counts every form post per network address (reading pages is free). Generous, since a
 * union hall may share one address: it stops floods, while what costs us (emails, Checkout
 * Sessions) has its own limit in the handlers. The handlers answer a post over the limit,
 * so that the page keeps what was typed.
 */
export function countSignupPosts(limit: number, now: () => Date): RequestHandler {
  const counter = new WindowCounter(15 * 60_000, limit);
  return (req, res, next) => {
    if (req.method === 'POST') {
      const count: PostCount = counter.hit(req.ip ?? 'unknown', now());
      res.locals.signupPosts = count;
      res.setHeader('RateLimit-Policy', `"window"; q=${limit}; w=900`);
    }
    next();
  };
}

export function signupRoutes(ctx: AppContext): RouteDefinition[] {
  const cache = new Map<string, { at: number; storefront: Promise<Storefront | undefined> }>();
  // Checkout and the billing portal live on Stripe's origin (the sandbox's on loopback in development).
  const stripeOrigins = ['https://checkout.stripe.com', 'https://billing.stripe.com', ...(ctx.config.env === 'production' ? [] : ['http://127.0.0.1:*', 'http://localhost:*'])];
  const contentSecurityPolicy = `default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' ${stripeOrigins.join(' ')}; base-uri 'none'; frame-ancestors 'none'`;
  const secureCookie = ctx.publicUrl.startsWith('https:');
  // Past the limit the page answers as always and nothing is sent: the answer must not depend on the address.
  const emailsSent = new WindowCounter(15 * 60_000, ctx.signup?.emailsPerAddress ?? EMAILS_PER_ADDRESS);
  const mayEmail = (email: string) => emailsSent.hit(addressKey(ctx.config.jwtSecret, 'signup', email), ctx.now()).allowed;
  // Emails and Checkout or portal sessions per network address: room for a hall of people joining together.
  const costlyActions = new WindowCounter(15 * 60_000, ctx.signup?.costlyActionsPerNetwork ?? COSTLY_ACTIONS_PER_NETWORK);

  /**
   * The seconds this network must wait, when it has sent too many posts, or (`costly`) too
   * many emails and Stripe sessions; undefined when it may go on.
   */
  function waitBeforePost(req: Request, res: Response, costly: boolean): number | undefined {
    const posts = res.locals.signupPosts as PostCount | undefined;
    if (posts && !posts.allowed) return posts.retryAfterSeconds;
    if (!costly) return undefined;
    const actions = costlyActions.hit(req.ip ?? 'unknown', ctx.now());
    return actions.allowed ? undefined : actions.retryAfterSeconds;
  }

  /** 429 with Retry-After: for people, `page` with the wait in minutes; for scripts, the JSON error. */
  function sendLimited(req: Request, res: Response, retryAfterSeconds: number, page: (minutes: number) => string): void {
    res.setHeader('Retry-After', String(retryAfterSeconds));
    const minutes = Math.ceil(retryAfterSeconds / 60);
    sendFailure(req, res, new ApiError('rate_limited', `too many forms from this network; try again in ${retryAfterSeconds} seconds`), () => page(minutes));
  }

  async function loadStorefront(slug: string): Promise<Storefront | undefined> {
    const organization = await findOrganizationBySlug(ctx.db, slug);
    if (!organization) return undefined;
    const [plans, en, es, logo] = await Promise.all([
      signupPlans(ctx.db, organization.id, todayIn(organization.time_zone, ctx.now())),
      currentAuthorization(ctx.db, organization, 'en'),
      currentAuthorization(ctx.db, organization, 'es'),
      logoVersion(ctx.db, organization.id),
    ]);
    return { organization, plans, authorizations: { en, es }, logo, blankForms: {} };
  }

  // The promise is cached, so a crowd arriving as an entry expires waits for one load, not one each.
  function cachedStorefront(slug: string): Promise<Storefront | undefined> {
    const key = slug.toLowerCase();
    const hit = cache.get(key);
    if (hit && performance.now() - hit.at < STOREFRONT_TTL_MS) return hit.storefront;
    const storefront = loadStorefront(key);
    if (cache.size >= STOREFRONT_CACHE_LIMIT) cache.clear();
    cache.set(key, { at: performance.now(), storefront });
    storefront.catch(() => cache.delete(key));
    return storefront;
  }

  const slugOf = (req: Request) => String(req.params.orgSlug ?? '');
  const languageOf = (req: Request, values?: FormValues) => pickLanguage(values?.lang ?? req.query.lang, req.headers['accept-language']);

  function sendHtml(res: Response, status: number, html: string): void {
    res.status(status).set({ 'Content-Security-Policy': contentSecurityPolicy, 'Cache-Control': 'no-store' }).type('html').send(html);
  }

  /** A friendly page for people, the project's JSON error for everything else. */
  function sendFailure(req: Request, res: Response, error: ApiError, html: () => string): void {
    if (wantsHtml(req)) sendHtml(res, error.status, html());
    else res.status(error.status).json(errorBody(error));
  }

  function notFoundPage(req: Request, res: Response): void {
    const m = messagesFor(languageOf(req));
    sendFailure(req, res, new ApiError('not_found', 'no organization has this signup page'), () => messagePage({ m, title: m.notFoundTitle }, [m.notFound]));
  }

  const formToken = (req: Request, res: Response): string => issueCsrfToken(req, res, { secret: ctx.config.jwtSecret, now: ctx.now(), secure: secureCookie });

  /** A form posted to one of the organization's pages: its storefront and values, or undefined once the 404 page is sent. */
  async function postedForm(req: Request, res: Response): Promise<{ storefront: Storefront; organization: Organization; values: FormValues } | undefined> {
    const storefront = await loadStorefront(slugOf(req));
    if (!storefront) {
      notFoundPage(req, res);
      return undefined;
    }
    return { storefront, organization: storefront.organization, values: formValues(req.body) };
  }

  const csrfValid = (req: Request, values: FormValues) => csrfPosted(req, values.csrf, { secret: ctx.config.jwtSecret, now: ctx.now() });

  const aboutOf = ({ organization, logo }: Storefront, language: Language): SignupAbout => ({
    logoSrc: logo && `/join/${encodeURIComponent(organization.slug)}/logo?v=${logo.slice(0, 12)}`,
    phone: organization.contact_phone,
    email: organization.contact_email,
    address: organization.contact_address,
    privacy: privacyNoticeIn(organization.privacy_notice, language),
  });

  const renderForm = (storefront: Storefront, language: Language, csrf: string, form: { values?: FormValues; errors?: FieldErrors; notice?: string }) =>
    joinForm({
      m: messagesFor(language),
      language,
      organization: storefront.organization,
      plans: storefront.plans[language],
      about: aboutOf(storefront, language),
      authorization: storefront.authorizations[language],
      values: form.values ?? {},
      errors: form.errors ?? {},
      csrf,
      ...(form.notice ? { notice: form.notice } : {}),
    });

  function renderJoin(req: Request, res: Response, status: number, storefront: Storefront, language: Language, form: { values?: FormValues; errors?: FieldErrors; notice?: string } = {}): void {
    sendHtml(res, status, renderForm(storefront, language, formToken(req, res), form));
  }

  /**
   * The page most visitors get: the blank form, rendered once per language while the
   * storefront is cached. Without plans there is no form, so no slot to fill.
   */
  function renderBlankJoin(req: Request, res: Response, storefront: Storefront, language: Language): void {
    const parts = (storefront.blankForms[language] ??= renderForm(storefront, language, CSRF_SLOT, {}).split(CSRF_SLOT));
    sendHtml(res, 200, parts.length === 1 ? parts[0]! : parts.join(formToken(req, res)));
  }

  const frame = (m: Messages, organization: Organization, title: string): PageFrame => ({ m, organizationName: organization.name, title });
  const checkEmailPage = (m: Messages, organization: Organization, email: string) => messagePage(frame(m, organization, m.checkEmailTitle), [m.checkEmail(email), m.checkEmailWhy]);

  /** A live join link's draft, read again against today's plans and authorization (either may have changed since). */
  async function joinConfirmation(storefront: Storefront, token: string) {
    if (!token) return undefined;
    const row = await findJoinConfirmation(ctx.db, storefront.organization.id, hashLinkToken(token), ctx.now());
    if (!row?.draft) return undefined;
    const draft = row.draft;
    const language = draft.language;
    const m = messagesFor(language);
    // The address is the one the link was sent to, whatever else the draft says.
    const values = { ...draft.values, email: row.email };
    return { id: row.id, createdAt: new Date(row.created_at), draft, language, m, values, form: readSignupForm(m, values, storefront.plans[language], storefront.authorizations[language].version) };
  }

  function confirmationExpired(req: Request, res: Response, organization: Organization, language: Language): void {
    const m = messagesFor(language);
    sendFailure(req, res, new ApiError('not_found', 'this link has expired'), () =>
      messagePage(frame(m, organization, m.confirmExpiredTitle), [m.confirmExpired], { href: `/join/${encodeURIComponent(organization.slug)}?lang=${language}`, label: m.backToForm }),
    );
  }

  return [
    ...authorizationRoutes(ctx),
    {
      method: 'get',
      path: '/join/assets/signup.css',
      access: 'public',
      summary: 'The signup page stylesheet (versioned by content, cached for a year)',
      handler: (req, res) => {
        res.set({ 'Cache-Control': 'public, max-age=31536000, immutable', ETag: SIGNUP_CSS_ETAG });
        if (req.headers['if-none-match'] === SIGNUP_CSS_ETAG) res.status(304).end();
        else res.type('css').send(SIGNUP_CSS);
      },
    },
    {
      method: 'get',
      path: '/join/:orgSlug',
      access: 'public',
      summary: "The organization's hosted signup page (English or Spanish)",
      handler: async (req, res) => {
        const storefront = await cachedStorefront(slugOf(req));
        if (!storefront) return notFoundPage(req, res);
        renderBlankJoin(req, res, storefront, languageOf(req));
      },
    },
    {
      method: 'post',
      path: '/join/:orgSlug',
      access: 'public',
      body: 'form',
      summary: 'Submit the signup form: errors re-render it; a valid one emails a link that continues to Checkout (the same answer for any address)',
      handler: async (req, res) => {
        const posted = await postedForm(req, res);
        if (!posted) return;
        const { storefront, organization, values } = posted;
        const language = languageOf(req, values);
        const m = messagesFor(language);
        // A filled honeypot is a script: answer like a real signup so it learns nothing, and do nothing.
        if (values.website) return sendHtml(res, 200, checkEmailPage(m, organization, values.email ?? ''));
        const limited = (wait: number) => sendLimited(req, res, wait, (minutes) => renderForm(storefront, language, formToken(req, res), { values, notice: m.rateLimited(minutes) }));
        const flooded = waitBeforePost(req, res, false);
        if (flooded !== undefined) return limited(flooded);
        if (!csrfValid(req, values)) return renderJoin(req, res, 403, storefront, language, { values, notice: m.errors.session });
        if (values.intent?.startsWith('preview')) {
          // "Show my dues" of one plan: that plan chosen, its figures or what stops them, nothing else judged yet.
          const planId = values.intent.slice('preview:'.length) || values.plan;
          const plan = storefront.plans[language].find((p) => p.id === planId);
          const shown = plan ? { ...values, plan: plan.id } : values;
          const dues = plan && plan.rule.kind !== 'flat' ? duesFromForm(m, plan, shown) : undefined;
          return renderJoin(req, res, 200, storefront, language, { values: shown, errors: dues && !dues.ok ? { [dues.field]: dues.message } : {} });
        }

        const form = readSignupForm(m, values, storefront.plans[language], storefront.authorizations[language].version);
        if (!form.ok) return renderJoin(req, res, 400, storefront, language, { values, errors: form.errors });
        // Only what the form means is kept (in canonical form), not whatever else was posted.
        const kept = { ...valuesFromSignup(signupFacts(form.input), form.input.paymentMethod), authorization: 'yes', authorizationVersion: values.authorizationVersion ?? '' };
        const wait = waitBeforePost(req, res, true);
        if (wait !== undefined) return limited(wait);
        if (mayEmail(form.input.email)) await requestSignup(ctx, organization, { values: kept, language, ip: req.ip ?? null, userAgent: req.headers['user-agent']?.slice(0, 500) ?? null });
        sendHtml(res, 200, checkEmailPage(m, organization, form.input.email));
      },
    },
    {
      method: 'get',
      path: '/join/:orgSlug/confirm',
      access: 'public',
      summary: 'Landing page of an emailed signup link: the answers to check, and a button that continues to Checkout',
      handler: async (req, res) => {
        const storefront = await cachedStorefront(slugOf(req));
        if (!storefront) return notFoundPage(req, res);
        const token = typeof req.query.token === 'string' ? req.query.token.slice(0, 100) : '';
        const confirmation = await joinConfirmation(storefront, token);
        if (!confirmation) return confirmationExpired(req, res, storefront.organization, languageOf(req));
        const { language, m, form } = confirmation;
        if (!form.ok) return renderJoin(req, res, 200, storefront, language, { values: confirmation.values, errors: form.errors });
        sendHtml(res, 200, confirmForm({ m, language, organization: storefront.organization, token, input: form.input }));
      },
    },
    {
      method: 'post',
      path: '/join/:orgSlug/confirm',
      access: 'public',
      body: 'form',
      summary: 'Continue a confirmed signup: records the member and their consent, then redirects (303) to Stripe Checkout',
      handler: async (req, res) => {
        const posted = await postedForm(req, res);
        if (!posted) return;
        const { storefront, organization, values } = posted;
        const confirmation = await joinConfirmation(storefront, values.token ?? '');
        if (!confirmation) return confirmationExpired(req, res, organization, languageOf(req, values));
        const { language, m, form, draft } = confirmation;
        if (values.intent === 'edit' || !form.ok) return renderJoin(req, res, 200, storefront, language, { values: confirmation.values, errors: form.ok ? {} : form.errors });
        const confirmHref = `/join/${encodeURIComponent(organization.slug)}/confirm?lang=${language}&token=${encodeURIComponent(values.token ?? '')}`;
        const wait = waitBeforePost(req, res, true);
        if (wait !== undefined) return sendLimited(req, res, wait, (minutes) => messagePage(frame(m, organization, m.rateLimitedTitle), [m.rateLimitedLink(minutes)], { href: confirmHref, label: m.backToForm }));
        await markJoinConfirmationUsed(ctx.db, organization.id, confirmation.id, ctx.now());
        let outcome;
        try {
          outcome = await startSignup(ctx, {
            organization,
            input: form.input,
            authorization: storefront.authorizations[language],
            language,
            acceptedAt: confirmation.createdAt,
            ip: draft.ip,
            userAgent: draft.userAgent,
          });
        } catch (error) {
          req.log?.error({ err: error }, 'signup could not reach Stripe');
          return sendHtml(res, 503, messagePage(frame(m, organization, m.unavailableTitle), [m.unavailable], { href: confirmHref, label: m.backToForm }));
        }
        if (outcome.kind === 'checkout') return res.redirect(303, outcome.url);
        sendHtml(res, 200, messagePage(frame(m, organization, m.alreadyMemberTitle), [m.alreadyMember], { href: `/join/${encodeURIComponent(organization.slug)}/manage?lang=${language}`, label: m.manageTitle }));
      },
    },
    {
      method: 'get',
      path: '/join/:orgSlug/welcome',
      access: 'public',
      summary: 'Where Checkout returns after paying: what happens next',
      handler: async (req, res) => {
        const storefront = await cachedStorefront(slugOf(req));
        if (!storefront) return notFoundPage(req, res);
        const { organization } = storefront;
        const language = languageOf(req);
        const m = messagesFor(language);
        const slug = encodeURIComponent(organization.slug);
        const method = req.query.method === 'card' ? 'card' : 'us_bank_account';
        // The signed draft in the return address says which signup this was (for two hours); without it, the page still welcomes.
        const consentId = readDraftToken(ctx.config.jwtSecret, req.query.draft, ctx.now());
        const chosen = consentId ? await findWelcomeFacts(ctx.db, organization.id, consentId) : undefined;
        const draft = typeof req.query.draft === 'string' && consentId ? `&draft=${encodeURIComponent(req.query.draft)}` : '';
        const details = chosen
          ? welcomeDetails(
              m,
              { planName: chosen.planName, currency: chosen.currency, period: { interval: chosen.billing_interval, intervalCount: chosen.billing_interval_count }, duesCents: chosen.dues_cents, paymentMethod: chosen.payment_method },
              todayIn(organization.time_zone, ctx.now()),
            )
          : [];
        sendHtml(
          res,
          200,
          messagePage(
            { ...frame(m, organization, m.welcomeTitle), switchHref: `/join/${slug}/welcome?lang=${m.otherLanguage.code}&method=${method}${draft}` },
            [method === 'card' ? m.welcomeCard : m.welcomeBank, m.welcomeNext],
            { href: `/join/${slug}/manage?lang=${language}`, label: m.manageLinkText },
            { heading: m.welcomeChosen, list: details },
          ),
        );
      },
    },
    {
      method: 'get',
      path: '/join/:orgSlug/cancelled',
      access: 'public',
      summary: 'Where Checkout returns when the member leaves it: the form again, with their details',
      handler: async (req, res) => {
        const storefront = await cachedStorefront(slugOf(req));
        if (!storefront) return notFoundPage(req, res);
        const language = languageOf(req);
        const consentId = readDraftToken(ctx.config.jwtSecret, req.query.draft, ctx.now());
        const draft = consentId ? await findPendingSignup(ctx.db, storefront.organization.id, consentId) : undefined;
        const values = draft ? valuesFromSignup(draft, draft.payment_method) : {};
        renderJoin(req, res, 200, storefront, language, { values, notice: messagesFor(language).cancelledNotice });
      },
    },
    {
      method: 'get',
      path: '/join/:orgSlug/manage',
      access: 'public',
      summary: 'Ask for a single-use link to manage one’s dues',
      handler: async (req, res) => {
        const storefront = await cachedStorefront(slugOf(req));
        if (!storefront) return notFoundPage(req, res);
        const language = languageOf(req);
        sendHtml(res, 200, manageForm({ m: messagesFor(language), language, organization: storefront.organization, csrf: formToken(req, res), values: {}, errors: {} }));
      },
    },
    {
      method: 'post',
      path: '/join/:orgSlug/manage',
      access: 'public',
      body: 'form',
      summary: 'Email a single-use manage link to a member, a note to anyone else (same answer and work either way)',
      handler: async (req, res) => {
        const posted = await postedForm(req, res);
        if (!posted) return;
        const { organization, values } = posted;
        const language = languageOf(req, values);
        const m = messagesFor(language);
        const render = (status: number, errors: FieldErrors) => sendHtml(res, status, manageForm({ m, language, organization, csrf: formToken(req, res), values, errors }));
        const limited = (wait: number) => sendLimited(req, res, wait, (minutes) => manageForm({ m, language, organization, csrf: formToken(req, res), values, errors: {}, notice: m.rateLimited(minutes) }));
        const flooded = waitBeforePost(req, res, false);
        if (flooded !== undefined) return limited(flooded);
        if (values.website) return sendHtml(res, 200, messagePage(frame(m, organization, m.checkEmailTitle), [m.manageSent]));
        if (!csrfValid(req, values)) return render(403, { email: m.errors.session });
        const email = values.email?.trim() ?? '';
        if (!isEmail(email)) return render(400, { email: m.errors.email });
        const wait = waitBeforePost(req, res, true);
        if (wait !== undefined) return limited(wait);
        if (mayEmail(email)) await requestManageLink(ctx, organization, email, language);
        sendHtml(res, 200, messagePage(frame(m, organization, m.checkEmailTitle), [m.manageSent]));
      },
    },
    {
      method: 'get',
      path: '/join/:orgSlug/manage/open',
      access: 'public',
      summary: 'Landing page of an emailed manage link (a button spends it)',
      handler: async (req, res) => {
        const storefront = await cachedStorefront(slugOf(req));
        if (!storefront) return notFoundPage(req, res);
        const language = languageOf(req);
        sendHtml(res, 200, openManageForm({ m: messagesFor(language), language, organization: storefront.organization, token: typeof req.query.token === 'string' ? req.query.token.slice(0, 100) : '' }));
      },
    },
    {
      method: 'post',
      path: '/join/:orgSlug/manage/open',
      access: 'public',
      body: 'form',
      summary: "Spend a manage link and open the member's own page (303) in this browser for 30 minutes",
      handler: async (req, res) => {
        const posted = await postedForm(req, res);
        if (!posted) return;
        const { organization, values } = posted;
        const token = values.token ?? '';
        // Checked before the link is spent, so that a limited member can use it again.
        const wait = waitBeforePost(req, res, false);
        if (wait !== undefined) {
          const m = messagesFor(languageOf(req, values));
          const openHref = `/join/${encodeURIComponent(organization.slug)}/manage/open?lang=${m.htmlLang}&token=${encodeURIComponent(token)}`;
          return sendLimited(req, res, wait, (minutes) => messagePage(frame(m, organization, m.rateLimitedTitle), [m.rateLimitedLink(minutes)], { href: openHref, label: m.openTitle }));
        }
        const link = token ? await consumeManageLink(ctx.db, organization.id, hashLinkToken(token), ctx.now()) : undefined;
        const language = link?.preferred_language ?? languageOf(req, values);
        const m = messagesFor(language);
        const manageHref = `/join/${encodeURIComponent(organization.slug)}/manage?lang=${language}`;
        if (!link) {
          return sendFailure(req, res, new ApiError('not_found', 'this link was already used or has expired'), () =>
            messagePage(frame(m, organization, m.linkUsedTitle), [m.linkUsed], { href: manageHref, label: m.manageTitle }),
          );
        }
        startMemberSession(ctx, res, organization, link.member_id);
        res.redirect(303, `/join/${encodeURIComponent(organization.slug)}/me`);
      },
    },
  ];
}
