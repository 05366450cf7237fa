// The sandbox engine: Subscriptions: creation, renewal, updates with proration, cancellation.
import { Ctx, clone, systemCtx } from './core';
import { cardError, invalidParam, invalidRequest, resourceMissing } from './errors';
import { Params } from './params';
import { newId } from './store';
import { DAY, Interval, periodBoundary } from './time';
import type { Customer, Invoice, Plan, Price, Product, Subscription, SubscriptionItem } from './types';
import type { LineSpec, SubState } from './state';
import { Invoices } from './invoices';

export abstract class Subscriptions extends Invoices {

  protected plan(price: Price): Plan {
    const rec = price.recurring as NonNullable<Price['recurring']>;
    return {
      id: price.id,
      object: 'plan',
      active: price.active,
      amount: price.unit_amount,
      amount_decimal: price.unit_amount_decimal,
      billing_scheme: 'per_unit',
      created: price.created,
      currency: price.currency,
      interval: rec.interval,
      interval_count: rec.interval_count,
      livemode: false,
      metadata: price.metadata,
      meter: null,
      nickname: price.nickname,
      product: price.product,
      tiers_mode: null,
      transform_usage: null,
      trial_period_days: null,
      usage_type: 'licensed',
    };
  }

  protected subItem(sub: Subscription, price: Price, quantity: number, metadata: Record<string, string>, created: number): SubscriptionItem {
    return {
      id: newId('si'),
      object: 'subscription_item',
      billing_thresholds: null,
      created,
      current_period_end: 0,
      current_period_start: 0,
      current_trial: null,
      discounts: [],
      metadata,
      plan: this.plan(price),
      price: clone(price),
      quantity,
      subscription: sub.id,
      tax_rates: [],
    };
  }

  protected recurringOf(sub: Subscription): { interval: Interval; count: number } {
    const rec = (sub.items.data[0] as SubscriptionItem).price.recurring as NonNullable<Price['recurring']>;
    return { interval: rec.interval as Interval, count: rec.interval_count };
  }

  protected setPeriod(sub: Subscription, start: number, end: number): void {
    for (const item of sub.items.data) {
      item.current_period_start = start;
      item.current_period_end = end;
    }
  }

  protected periodEnd(sub: Subscription): number {
    return (sub.items.data[0] as SubscriptionItem).current_period_end;
  }

  protected subCtx(sub: { id: string }): Ctx {
    return systemCtx(this.accountOf(sub.id));
  }

  createSubscription(ctx: Ctx, p: Params, checkoutSession: string | null = null): Subscription {
    const customer = this.store.get<Customer>('customer', p.reqStr('customer'), ctx.account, 'customer');
    const clock = this.clockOf(customer.id);
    const now = this.now(clock);
    const itemParams = p.arr('items');
    if (itemParams.length === 0) throw invalidParam('items', 'Missing required param: items.', 'parameter_missing');
    const collection = p.enum('collection_method', ['charge_automatically', 'send_invoice'] as const) ?? 'charge_automatically';
    const behaviour = p.enum('payment_behavior', ['allow_incomplete', 'default_incomplete', 'error_if_incomplete', 'pending_if_incomplete'] as const) ?? 'allow_incomplete';
    const pmId = p.str('default_payment_method');
    const defaultPm = pmId ? this.attachedPm(ctx, pmId, customer.id, 'default_payment_method').id : null;
    const trialDays = p.int('trial_period_days', { min: 0 });
    const trialEndParam = p.str('trial_end');
    const trialEnd = trialEndParam === 'now' ? undefined : trialEndParam ? p.reqInt('trial_end') : trialDays ? now + trialDays * DAY : undefined;
    if (trialEnd !== undefined && trialEnd <= now) throw invalidParam('trial_end', 'Invalid timestamp: must be an integer Unix timestamp in the future.');
    const missingPm = p.obj('trial_settings')?.obj('end_behavior')?.enum('missing_payment_method', ['cancel', 'create_invoice', 'pause'] as const) ?? 'create_invoice';

    const sub: Subscription = {
      id: newId('sub'),
      object: 'subscription',
      application: null,
      application_fee_percent: null,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null },
      billing_cycle_anchor: trialEnd ?? now,
      billing_cycle_anchor_config: null,
      billing_mode: { flexible: { proration_discounts: 'included' }, type: 'flexible', updated_at: now },
      billing_schedules: [],
      billing_thresholds: null,
      cancel_at: null,
      cancel_at_period_end: p.bool('cancel_at_period_end') ?? false,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
      collection_method: collection,
      created: now,
      currency: '',
      customer: customer.id,
      customer_account: null,
      days_until_due: collection === 'send_invoice' ? (p.int('days_until_due') ?? 30) : null,
      default_payment_method: defaultPm,
      default_source: null,
      default_tax_rates: [],
      description: p.str('description') ?? null,
      discounts: [],
      ended_at: null,
      invoice_settings: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: { type: 'self' } },
      items: { object: 'list', data: [], has_more: false, url: '' },
      latest_invoice: null,
      livemode: false,
      managed_payments: null,
      metadata: p.metadata(),
      next_pending_invoice_item_invoice: null,
      on_behalf_of: null,
      pause_collection: null,
      payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: 'off' },
      pending_invoice_item_interval: null,
      pending_setup_intent: null,
      pending_update: null,
      schedule: null,
      start_date: now,
      status: 'incomplete',
      test_clock: clock,
      transfer_data: null,
      trial_end: trialEnd ?? null,
      trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: missingPm } },
      trial_start: trialEnd ? now : null,
    };
    sub.items.url = `/v1/subscription_items?subscription=${sub.id}`;
    for (const ip of itemParams) {
      const price = this.resolvePrice(ctx, ip, clock);
      if (!price.recurring) throw invalidParam(ip.path('price'), 'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.');
      sub.items.data.push(this.subItem(sub, price, ip.int('quantity', { min: 0 }) ?? 1, ip.metadata(), now));
    }
    const first = (sub.items.data[0] as SubscriptionItem).price;
    sub.currency = first.currency;
    for (const item of sub.items.data) {
      const rec = item.price.recurring as NonNullable<Price['recurring']>;
      const firstRec = first.recurring as NonNullable<Price['recurring']>;
      if (rec.interval !== firstRec.interval || rec.interval_count !== firstRec.interval_count) {
        throw invalidParam('items', 'All prices on a subscription must have the same `recurring.interval` and `recurring.interval_count`.');
      }
    }
    const state: SubState = { anchor: trialEnd ?? now, cycle: 0, pendingLines: [], checkoutSession };
    this.subs.set(sub.id, state);
    const { interval, count } = this.recurringOf(sub);
    this.setPeriod(sub, now, trialEnd ?? periodBoundary(now, interval, count, 1));

    const extra: LineSpec[] = [];
    for (const ap of p.arr('add_invoice_items')) {
      const price = this.resolvePrice(ctx, ap, clock);
      const quantity = ap.int('quantity', { min: 1 }) ?? 1;
      extra.push(this.oneTimeLine(price, quantity, now));
    }

    // An `error_if_incomplete` decline must leave nothing behind, so check the card first.
    if (behaviour === 'error_if_incomplete' && trialEnd === undefined) {
      const b = defaultPm ? this.pmBehaviour.get(defaultPm)?.behaviour : undefined;
      if (b && (b.kind === 'decline_on_charge' || b.kind === 'decline_on_attach')) {
        throw cardError({ code: 'card_declined', declineCode: b.declineCode, message: b.message });
      }
    }

    this.store.insert(sub, ctx.account, clock);
    if (trialEnd !== undefined) sub.status = 'trialing';
    this.emit(ctx, 'customer.subscription.created', sub);

    const lines = [...this.itemLines(sub, now, this.periodEnd(sub), trialEnd !== undefined), ...extra];
    const invoice = this.createInvoice(ctx, sub, lines, 'subscription_create', now, now);
    sub.latest_invoice = invoice.id;
    this.finalizeInvoice(ctx, invoice);
    if (invoice.status === 'open' && collection === 'charge_automatically' && behaviour !== 'default_incomplete') {
      this.attemptInvoice(ctx, invoice, null);
    }
    if (sub.status === 'incomplete' && collection === 'send_invoice') this.setSubStatus(ctx, sub, 'active');
    if (sub.status === 'incomplete') {
      // Stripe gives the first payment about 23 hours before expiring the subscription.
      this.schedule(clock, now + 23 * 3600, () => this.expireIncomplete(sub.id), { key: `incomplete:${sub.id}` });
    }
    this.scheduleRenewal(sub);
    return sub;
  }

  protected itemLines(sub: Subscription, start: number, end: number, trial: boolean): LineSpec[] {
    return sub.items.data.map((item) => {
      const quantity = item.quantity ?? 1;
      const amount = trial ? 0 : (item.price.unit_amount ?? 0) * quantity;
      const productName = this.productName(item.price);
      return {
        price: item.price,
        quantity,
        amount,
        description: trial ? `Trial period for ${productName}` : `${quantity} × ${productName} (at $${((item.price.unit_amount ?? 0) / 100).toFixed(2)} / ${item.price.recurring?.interval})`,
        period: { start, end },
        subscriptionItem: item.id,
        invoiceItem: null,
        proration: false,
      };
    });
  }

  protected oneTimeLine(price: Price, quantity: number, now: number): LineSpec {
    return {
      price,
      quantity,
      amount: (price.unit_amount ?? 0) * quantity,
      description: this.productName(price),
      period: { start: now, end: now },
      subscriptionItem: null,
      invoiceItem: newId('ii'),
      proration: false,
    };
  }

  protected productName(price: Price): string {
    const id = typeof price.product === 'string' ? price.product : price.product.id;
    return this.store.entry(id) ? ((this.store.entry(id)?.obj as Product).name ?? id) : id;
  }

  protected expireIncomplete(subId: string): void {
    const sub = this.store.entry(subId)?.obj as Subscription | undefined;
    if (!sub || sub.status !== 'incomplete') return;
    const ctx = this.subCtx(sub);
    const invoiceId = sub.latest_invoice as string;
    const invoice = this.store.entry(invoiceId)?.obj as Invoice | undefined;
    if (invoice && invoice.status === 'open') this.voidInvoiceInternal(ctx, invoice);
    this.setSubStatus(ctx, sub, 'incomplete_expired', { ended_at: this.now(sub.test_clock as string | null) });
    this.cancelTasks(`renew:${sub.id}`);
    this.cancelTasks(`upcoming:${sub.id}`);
  }

  protected setSubStatus(ctx: Ctx, sub: Subscription, status: Subscription['status'], extra: Partial<Subscription> = {}): void {
    if (sub.status === status && Object.keys(extra).length === 0) return;
    const prev = this.track(sub);
    sub.status = status;
    Object.assign(sub, extra);
    this.emit(ctx, 'customer.subscription.updated', sub, prev());
  }

  protected scheduleRenewal(sub: Subscription): void {
    const clock = sub.test_clock as string | null;
    const end = this.periodEnd(sub);
    this.cancelTasks(`renew:${sub.id}`);
    this.cancelTasks(`upcoming:${sub.id}`);
    this.schedule(clock, end, () => this.renew(sub.id), { key: `renew:${sub.id}` });
    const upcomingAt = end - this.options.upcomingInvoiceDays * DAY;
    if (upcomingAt > this.now(clock) && sub.status !== 'trialing') {
      this.schedule(clock, upcomingAt, () => this.sendUpcoming(sub.id), { key: `upcoming:${sub.id}` });
    }
    // Stripe announces the end of a trial three days ahead (or at once for shorter trials).
    if (sub.status === 'trialing') {
      const at = Math.max(this.now(clock), end - 3 * DAY);
      this.schedule(clock, at, () => {
        if (sub.status === 'trialing') this.emit(this.subCtx(sub), 'customer.subscription.trial_will_end', sub);
      }, { key: `upcoming:${sub.id}` });
    }
  }

  protected sendUpcoming(subId: string): void {
    const sub = this.store.entry(subId)?.obj as Subscription | undefined;
    if (!sub || !['active', 'past_due', 'trialing'].includes(sub.status) || sub.cancel_at_period_end) return;
    const end = this.periodEnd(sub);
    const { interval, count } = this.recurringOf(sub);
    const state = this.subs.get(sub.id) as SubState;
    const nextEnd = periodBoundary(state.anchor, interval, count, state.cycle + 1 + (sub.status === 'trialing' ? 0 : 1));
    const lines = [...this.itemLines(sub, end, nextEnd, false), ...state.pendingLines];
    // The upcoming invoice is a preview: it has no id and is not stored.
    const { id: _id, ...preview } = this.buildInvoice(sub, lines, 'upcoming', end, end, '');
    this.emit(this.subCtx(sub), 'invoice.upcoming', preview, undefined, sub.id);
  }

  protected renew(subId: string): void {
    const sub = this.store.entry(subId)?.obj as Subscription | undefined;
    if (!sub || ['canceled', 'incomplete', 'incomplete_expired', 'paused'].includes(sub.status)) return;
    const ctx = this.subCtx(sub);
    const clock = sub.test_clock as string | null;
    const now = this.now(clock);
    const state = this.subs.get(sub.id) as SubState;
    if (sub.cancel_at_period_end || (sub.cancel_at !== null && sub.cancel_at <= now)) {
      this.cancelSubscriptionNow(ctx, sub, 'cancellation_requested');
      return;
    }
    const wasTrial = sub.status === 'trialing';
    const hasPm = Boolean(sub.default_payment_method || this.customerOf(sub).invoice_settings.default_payment_method);
    if (wasTrial && !hasPm && sub.trial_settings?.end_behavior.missing_payment_method === 'pause') {
      const prev = this.track(sub);
      sub.status = 'paused';
      this.emit(ctx, 'customer.subscription.paused', sub);
      this.emit(ctx, 'customer.subscription.updated', sub, prev());
      return;
    }
    if (wasTrial && !hasPm && sub.trial_settings?.end_behavior.missing_payment_method === 'cancel') {
      this.cancelSubscriptionNow(ctx, sub, 'cancellation_requested');
      return;
    }
    const { interval, count } = this.recurringOf(sub);
    const prevStart = (sub.items.data[0] as SubscriptionItem).current_period_start;
    const prevEnd = this.periodEnd(sub);
    if (!wasTrial) state.cycle += 1;
    const nextEnd = periodBoundary(state.anchor, interval, count, state.cycle + 1);
    // One customer.subscription.updated for the new period and its invoice, as Stripe sends.
    const prev = this.track(sub);
    this.setPeriod(sub, prevEnd, nextEnd);
    if (wasTrial) sub.status = 'active';
    const lines = [...this.itemLines(sub, prevEnd, nextEnd, false), ...state.pendingLines];
    state.pendingLines = [];
    const invoice = this.createInvoice(ctx, sub, lines, 'subscription_cycle', prevStart, prevEnd);
    sub.latest_invoice = invoice.id;
    this.emit(ctx, 'customer.subscription.updated', sub, prev());
    const pause = sub.pause_collection;
    if (pause) {
      if (pause.behavior === 'void') {
        this.finalizeInvoice(ctx, invoice);
        this.voidInvoiceInternal(ctx, invoice);
      } else if (pause.behavior === 'mark_uncollectible') {
        this.finalizeInvoice(ctx, invoice);
        this.markUncollectibleInternal(ctx, invoice);
      } else {
        invoice.auto_advance = false;
        invoice.automatically_finalizes_at = null;
      }
    } else if (sub.status === 'unpaid') {
      // Unpaid subscriptions keep generating invoices, left as drafts.
      invoice.auto_advance = false;
      invoice.automatically_finalizes_at = null;
    } else {
      this.schedule(clock, invoice.automatically_finalizes_at as number, () => this.autoFinalize(invoice.id), { key: `finalize:${invoice.id}` });
    }
    this.scheduleRenewal(sub);
  }

  protected autoFinalize(invoiceId: string): void {
    const invoice = this.store.entry(invoiceId)?.obj as Invoice | undefined;
    if (!invoice || invoice.status !== 'draft' || !invoice.auto_advance) return;
    const ctx = systemCtx(this.accountOf(invoiceId));
    this.finalizeInvoice(ctx, invoice);
    if (invoice.status === 'open' && invoice.collection_method === 'charge_automatically') this.attemptInvoice(ctx, invoice, null);
  }

  protected customerOf(obj: { customer: string | { id: string } | null }): Customer {
    const id = typeof obj.customer === 'string' ? obj.customer : (obj.customer as { id: string }).id;
    return this.store.entry(id)?.obj as Customer;
  }

  updateSubscription(ctx: Ctx, id: string, p: Params): Subscription {
    const sub = this.store.get<Subscription>('subscription', id, ctx.account);
    if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
      throw invalidRequest(`A canceled subscription can only update its cancellation_details and metadata.`);
    }
    const clock = sub.test_clock as string | null;
    const now = this.now(clock);
    const prev = this.track(sub);
    const state = this.subs.get(sub.id) as SubState;
    if (p.has('cancel_at_period_end')) {
      sub.cancel_at_period_end = p.bool('cancel_at_period_end') ?? false;
      sub.cancel_at = sub.cancel_at_period_end ? this.periodEnd(sub) : null;
      sub.canceled_at = sub.cancel_at_period_end ? now : null;
      sub.cancellation_details = { ...(sub.cancellation_details ?? { comment: null, feedback: null, feedback_option: null }), reason: sub.cancel_at_period_end ? 'cancellation_requested' : null };
    }
    if (p.has('cancel_at')) {
      sub.cancel_at = p.isEmpty('cancel_at') ? null : p.reqInt('cancel_at');
      if (sub.cancel_at !== null && sub.cancel_at < this.periodEnd(sub)) {
        this.schedule(clock, sub.cancel_at, () => {
          if (sub.status !== 'canceled') this.cancelSubscriptionNow(this.subCtx(sub), sub, 'cancellation_requested');
        }, { key: `cancel_at:${sub.id}` });
      }
    }
    const cd = p.obj('cancellation_details');
    if (cd) {
      const feedback = cd.enum('feedback', ['customer_service', 'low_quality', 'missing_features', 'other', 'switched_service', 'too_complex', 'too_expensive', 'unused'] as const);
      sub.cancellation_details = { ...(sub.cancellation_details ?? { reason: null, feedback_option: null, comment: null, feedback: null }), comment: cd.str('comment') ?? null, feedback: feedback ?? null };
    }
    if (p.has('description')) sub.description = p.str('description') || null;
    sub.metadata = p.metadata(sub.metadata);
    if (p.has('default_payment_method')) {
      const pm = p.str('default_payment_method');
      sub.default_payment_method = pm ? this.attachedPm(ctx, pm, this.customerOf(sub).id, 'default_payment_method').id : null;
    }
    if (p.has('pause_collection')) {
      const pc = p.obj('pause_collection');
      sub.pause_collection = pc
        ? { behavior: pc.enum('behavior', ['keep_as_draft', 'mark_uncollectible', 'void'] as const) ?? (() => { throw invalidParam(pc.path('behavior'), `Missing required param: ${pc.path('behavior')}.`, 'parameter_missing'); })(), resumes_at: pc.int('resumes_at') ?? null }
        : null;
      this.cancelTasks(`resume_collection:${sub.id}`);
      const resumesAt = sub.pause_collection?.resumes_at;
      if (resumesAt) {
        this.schedule(clock, resumesAt, () => {
          const before = this.track(sub);
          sub.pause_collection = null;
          this.emit(this.subCtx(sub), 'customer.subscription.updated', sub, before());
        }, { key: `resume_collection:${sub.id}` });
      }
    }
    const itemParams = p.arr('items');
    let immediateLines: LineSpec[] = [];
    if (itemParams.length > 0) {
      const proration = p.enum('proration_behavior', ['always_invoice', 'create_prorations', 'none'] as const) ?? 'create_prorations';
      const oldItems = clone(sub.items.data);
      const oldRec = this.recurringOf(sub);
      for (const ip of itemParams) {
        const itemId = ip.str('id');
        if (itemId) {
          const item = sub.items.data.find((i) => i.id === itemId);
          if (!item) throw resourceMissing('subscription item', itemId, ip.path('id'));
          if (ip.bool('deleted')) {
            sub.items.data = sub.items.data.filter((i) => i.id !== itemId);
            continue;
          }
          if (ip.has('price') || ip.has('price_data')) {
            const price = this.resolvePrice(ctx, ip, clock);
            item.price = clone(price);
            item.plan = this.plan(price);
          }
          if (ip.has('quantity')) item.quantity = ip.int('quantity', { min: 0 }) ?? 1;
          item.metadata = ip.metadata(item.metadata);
        } else {
          const price = this.resolvePrice(ctx, ip, clock);
          const item = this.subItem(sub, price, ip.int('quantity', { min: 0 }) ?? 1, ip.metadata(), now);
          item.current_period_start = (sub.items.data[0] as SubscriptionItem | undefined)?.current_period_start ?? now;
          item.current_period_end = this.periodEnd(sub) || now;
          sub.items.data.push(item);
        }
      }
      if (sub.items.data.length === 0) throw invalidParam('items', 'A subscription must have at least one active plan.');
      const newRec = this.recurringOf(sub);
      const intervalChanged = newRec.interval !== oldRec.interval || newRec.count !== oldRec.count;
      const start = (oldItems[0] as SubscriptionItem).current_period_start;
      const end = (oldItems[0] as SubscriptionItem).current_period_end;
      const credits = this.prorationLines(oldItems, sub.items.data, start, end, now, intervalChanged);
      if (intervalChanged) {
        // A new interval resets the billing cycle anchor to now and bills the new period at once.
        state.anchor = now;
        state.cycle = 0;
        sub.billing_cycle_anchor = now;
        this.setPeriod(sub, now, periodBoundary(now, newRec.interval, newRec.count, 1));
        immediateLines = [...(proration === 'none' ? [] : credits), ...this.itemLines(sub, now, this.periodEnd(sub), false)];
      } else if (proration === 'always_invoice') {
        immediateLines = credits;
      } else if (proration === 'create_prorations') {
        state.pendingLines.push(...credits);
      }
    }
    const invoice = immediateLines.length > 0 ? this.createInvoice(ctx, sub, immediateLines, 'subscription_update', now, now) : undefined;
    if (invoice) sub.latest_invoice = invoice.id;
    this.emit(ctx, 'customer.subscription.updated', sub, prev());
    if (invoice) {
      this.finalizeInvoice(ctx, invoice);
      if (invoice.status === 'open' && sub.collection_method === 'charge_automatically') this.attemptInvoice(ctx, invoice, null);
      this.scheduleRenewal(sub);
    }
    return sub;
  }

  /** Credit for the unused time of old items and charge for the remaining time of new ones. */
  protected prorationLines(oldItems: SubscriptionItem[], newItems: SubscriptionItem[], start: number, end: number, now: number, intervalChanged: boolean): LineSpec[] {
    const total = end - start;
    if (total <= 0 || now >= end) return [];
    const remaining = end - now;
    const lines: LineSpec[] = [];
    const amountOf = (i: SubscriptionItem) => (i.price.unit_amount ?? 0) * (i.quantity ?? 1);
    for (const old of oldItems) {
      const now_ = newItems.find((n) => n.id === old.id);
      if (now_ && now_.price.id === old.price.id && now_.quantity === old.quantity && !intervalChanged) continue;
      lines.push({
        price: old.price,
        quantity: old.quantity ?? 1,
        amount: -Math.round((amountOf(old) * remaining) / total),
        description: `Unused time on ${old.quantity ?? 1} × ${this.productName(old.price)}`,
        period: { start: now, end },
        subscriptionItem: old.id,
        invoiceItem: newId('ii'),
        proration: true,
      });
    }
    if (intervalChanged) return lines;
    for (const item of newItems) {
      const old = oldItems.find((o) => o.id === item.id);
      if (old && old.price.id === item.price.id && old.quantity === item.quantity) continue;
      lines.push({
        price: item.price,
        quantity: item.quantity ?? 1,
        amount: Math.round((amountOf(item) * remaining) / total),
        description: `Remaining time on ${item.quantity ?? 1} × ${this.productName(item.price)}`,
        period: { start: now, end },
        subscriptionItem: item.id,
        invoiceItem: newId('ii'),
        proration: true,
      });
    }
    return lines;
  }

  cancelSubscription(ctx: Ctx, id: string, p: Params): Subscription {
    const sub = this.store.get<Subscription>('subscription', id, ctx.account);
    if (sub.status === 'canceled') throw invalidRequest(`No such subscription: '${id}'; it has already been canceled.`, 'resource_missing', 'id');
    const cd = p.obj('cancellation_details');
    if (cd) {
      sub.cancellation_details = { ...(sub.cancellation_details ?? { reason: null, feedback_option: null, comment: null, feedback: null }), comment: cd.str('comment') ?? null };
    }
    this.cancelSubscriptionNow(ctx, sub, 'cancellation_requested');
    return sub;
  }

  protected cancelSubscriptionNow(ctx: Ctx, sub: Subscription, reason: 'cancellation_requested' | 'payment_failed'): void {
    const now = this.now(sub.test_clock as string | null);
    sub.status = 'canceled';
    sub.canceled_at = sub.canceled_at ?? now;
    sub.ended_at = now;
    sub.cancellation_details = { ...(sub.cancellation_details ?? { comment: null, feedback: null, feedback_option: null }), reason };
    for (const key of ['renew', 'upcoming', 'incomplete', 'cancel_at', 'resume_collection']) this.cancelTasks(`${key}:${sub.id}`);
    // Automatic collection stops for the subscription's open invoices.
    for (const inv of this.store.all<Invoice>('invoice', this.accountOf(sub.id), (i) => this.invoiceSub.get(i.id) === sub.id && i.status === 'open')) {
      this.cancelTasks(`retry:${inv.id}`);
      if (inv.next_payment_attempt !== null) {
        const prev = this.track(inv);
        inv.next_payment_attempt = null;
        this.emit(ctx, 'invoice.updated', inv, prev());
      }
    }
    this.emit(ctx, 'customer.subscription.deleted', sub);
  }

  resumeSubscription(ctx: Ctx, id: string, p: Params): Subscription {
    const sub = this.store.get<Subscription>('subscription', id, ctx.account);
    if (sub.status !== 'paused') throw invalidRequest(`Subscription ${id} is not paused.`);
    const clock = sub.test_clock as string | null;
    const now = this.now(clock);
    // At this API version the anchor is a hash: billing_cycle_anchor[type]=now|unchanged.
    const keepAnchor = p.obj('billing_cycle_anchor')?.enum('type', ['now', 'unchanged'] as const) === 'unchanged';
    const state = this.subs.get(sub.id) as SubState;
    const { interval, count } = this.recurringOf(sub);
    const prev = this.track(sub);
    if (!keepAnchor) {
      state.anchor = now;
      state.cycle = 0;
      sub.billing_cycle_anchor = now;
    }
    this.setPeriod(sub, now, periodBoundary(state.anchor, interval, count, state.cycle + 1));
    sub.status = 'active';
    this.emit(ctx, 'customer.subscription.resumed', sub);
    this.emit(ctx, 'customer.subscription.updated', sub, prev());
    const invoice = this.createInvoice(ctx, sub, this.itemLines(sub, now, this.periodEnd(sub), false), 'subscription_update', now, now);
    sub.latest_invoice = invoice.id;
    this.finalizeInvoice(ctx, invoice);
    if (invoice.status === 'open') this.attemptInvoice(ctx, invoice, null);
    this.scheduleRenewal(sub);
    return sub;
  }
}
