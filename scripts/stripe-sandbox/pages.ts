// Plain HTML for the hosted pages: Checkout, the billing portal and hosted invoices. No JavaScript.
import type { CheckoutLineItem, CheckoutSession, Customer, Invoice, Subscription } from './types';
import { TEST_PAYMENT_METHODS } from './payment-methods';

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function money(amount: number, currency: string): string {
  const sign = amount < 0 ? '-' : '';
  return `${sign}${(Math.abs(amount) / 100).toFixed(2)} ${currency.toUpperCase()}`;
}

function layout(title: string, body: string, lang = 'en'): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}table{width:100%;border-collapse:collapse}
td,th{padding:.4rem;border-bottom:1px solid #ddd;text-align:left}.total{font-weight:bold}.error{color:#b00020}
fieldset{margin:1rem 0}button{font-size:1.1rem;padding:.6rem 1.4rem}.sandbox{background:#fff3cd;padding:.4rem}</style>
</head><body><p class="sandbox">Stripe sandbox (test mode, offline)</p>${body}</body></html>`;
}

function interval(item: CheckoutLineItem): string {
  const rec = item.price?.recurring;
  if (!rec) return 'one time';
  return rec.interval_count === 1 ? `per ${rec.interval}` : `every ${rec.interval_count} ${rec.interval}s`;
}

/** Radio buttons for the test payment methods of the given types. */
function methodChoices(types: readonly string[]): string {
  return TEST_PAYMENT_METHODS.filter((t) => types.includes(t.type))
    .map((t, n) => `<label><input type="radio" name="payment_method" value="${escapeHtml(t.token)}"${n === 0 ? ' checked' : ''}> ${escapeHtml(t.label)} <code>${escapeHtml(t.token)}</code></label><br>`)
    .join('');
}

const ALL_TYPES = ['card', 'us_bank_account'] as const;

export function checkoutPage(session: CheckoutSession, items: CheckoutLineItem[], error?: string): string {
  const lang = session.locale && session.locale !== 'auto' ? session.locale : 'en';
  if (session.status !== 'open') {
    return layout('Checkout', `<h1>This checkout session is ${escapeHtml(session.status)}.</h1>`, lang);
  }
  const rows = items
    .map((i) => `<tr><td>${escapeHtml(i.description)} × ${escapeHtml(i.quantity)}</td><td>${escapeHtml(interval(i))}</td><td>${escapeHtml(money(i.amount_total, i.currency))}</td></tr>`)
    .join('');
  const options = methodChoices(session.payment_method_types);
  const email = session.customer_email ?? session.customer_details?.email ?? '';
  const emailField = session.customer
    ? ''
    : `<p><label>Email <input type="email" name="email" value="${escapeHtml(email)}"${session.customer_email ? ' readonly' : ''}></label></p>
       <p><label>Name <input type="text" name="name"></label></p>`;
  const cancel = session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">Cancel</a></p>` : '';
  return layout(
    'Checkout',
    `<h1>Subscribe</h1>
<table><thead><tr><th>Item</th><th>Billing</th><th>Amount</th></tr></thead><tbody>${rows}</tbody>
<tfoot><tr class="total"><td>Total due today</td><td></td><td>${escapeHtml(money(session.amount_total ?? 0, session.currency ?? 'usd'))}</td></tr></tfoot></table>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/c/pay/${escapeHtml(session.id)}">
${emailField}
<fieldset><legend>Payment method</legend>${options}</fieldset>
<button type="submit">Pay</button>
</form>${cancel}`,
    lang,
  );
}

export function portalPage(sessionId: string, customer: Customer, subscriptions: Subscription[], returnUrl: string | null, message?: string): string {
  const rows = subscriptions
    .map((s) => {
      const item = s.items.data[0];
      const price = item ? money((item.price.unit_amount ?? 0) * (item.quantity ?? 1), item.price.currency) : '';
      const end = item ? new Date(item.current_period_end * 1000).toISOString().slice(0, 10) : '';
      const action = s.cancel_at_period_end
        ? `Cancels on ${escapeHtml(end)} <form method="post" action="/p/session/${escapeHtml(sessionId)}/subscriptions/${escapeHtml(s.id)}/renew"><button>Renew</button></form>`
        : `<form method="post" action="/p/session/${escapeHtml(sessionId)}/subscriptions/${escapeHtml(s.id)}/cancel"><button>Cancel subscription</button></form>`;
      return `<tr><td>${escapeHtml(s.id)}</td><td>${escapeHtml(s.status)}</td><td>${escapeHtml(price)}</td><td>${action}</td></tr>`;
    })
    .join('');
  return layout(
    'Billing portal',
    `<h1>Billing for ${escapeHtml(customer.email ?? customer.id)}</h1>
<table><thead><tr><th>Subscription</th><th>Status</th><th>Amount</th><th></th></tr></thead><tbody>${rows}</tbody></table>
${message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/p/session/${escapeHtml(sessionId)}/payment_method">
<fieldset><legend>Update payment method</legend>${methodChoices(ALL_TYPES)}</fieldset>
<button type="submit">Save</button>
</form>
${returnUrl ? `<p><a href="${escapeHtml(returnUrl)}">Return</a></p>` : ''}`,
  );
}

export function invoicePage(invoice: Invoice, error?: string): string {
  const rows = invoice.lines.data.map((l) => `<tr><td>${escapeHtml(l.description)}</td><td>${escapeHtml(money(l.amount, l.currency))}</td></tr>`).join('');
  const pay =
    invoice.status === 'open'
      ? `<form method="post" action="/i/${escapeHtml(invoice.id)}"><fieldset><legend>Pay with</legend>${methodChoices(ALL_TYPES)}</fieldset><button type="submit">Pay</button></form>`
      : '';
  return layout(
    `Invoice ${invoice.number ?? invoice.id}`,
    `<h1>Invoice ${escapeHtml(invoice.number ?? invoice.id)}</h1><p>Status: ${escapeHtml(invoice.status)}</p>
<table><tbody>${rows}</tbody><tfoot><tr class="total"><td>Amount due</td><td>${escapeHtml(money(invoice.amount_remaining, invoice.currency))}</td></tr></tfoot></table>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}${pay}`,
  );
}

export function messagePage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}
