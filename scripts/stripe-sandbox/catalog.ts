// The sandbox engine: Products and prices.
import { Ctx } from './core';
import { invalidParam } from './errors';
import { Params } from './params';
import { newId } from './store';
import { realNow } from './time';
import type { Price, Product } from './types';
import { EngineState } from './state';

export abstract class Catalog extends EngineState {

  createProduct(ctx: Ctx, p: Params): Product {
    const now = realNow();
    const product: Product = {
      id: p.str('id') ?? newId('prod'),
      object: 'product',
      active: p.bool('active') ?? true,
      created: now,
      default_price: null,
      description: p.str('description') ?? null,
      images: p.strArr('images') ?? [],
      livemode: false,
      marketing_features: [],
      metadata: p.metadata(),
      name: p.reqStr('name'),
      package_dimensions: null,
      shippable: null,
      statement_descriptor: p.str('statement_descriptor') ?? null,
      tax_code: null,
      tax_details: null,
      type: 'service',
      unit_label: p.str('unit_label') ?? null,
      updated: now,
      url: p.str('url') ?? null,
    };
    if (this.store.entry(product.id)) throw invalidParam('id', `Product already exists.`, 'resource_already_exists');
    this.store.insert(product, ctx.account);
    this.emit(ctx, 'product.created', product);
    const dpd = p.obj('default_price_data');
    if (dpd) {
      const price = this.buildPrice(ctx, dpd, product.id, null);
      product.default_price = price.id;
    }
    return product;
  }

  updateProduct(ctx: Ctx, id: string, p: Params): Product {
    const product = this.store.get<Product>('product', id, ctx.account);
    const prev = this.track(product);
    if (p.has('name')) product.name = p.reqStr('name');
    if (p.has('active')) product.active = p.bool('active') ?? product.active;
    if (p.has('description')) product.description = p.str('description') || null;
    if (p.has('default_price')) product.default_price = this.store.get<Price>('price', p.reqStr('default_price'), ctx.account, 'default_price').id;
    product.metadata = p.metadata(product.metadata);
    product.updated = realNow();
    this.emit(ctx, 'product.updated', product, prev());
    return product;
  }

  createPrice(ctx: Ctx, p: Params): Price {
    let productId: string;
    const productData = p.obj('product_data');
    if (productData) {
      productId = this.createProduct(ctx, productData).id;
    } else {
      productId = this.store.get<Product>('product', p.reqStr('product'), ctx.account, 'product').id;
    }
    return this.buildPrice(ctx, p, productId, null);
  }

  /** Prices from `price_data` are created inactive, as Stripe does for inline prices. */
  protected buildPrice(ctx: Ctx, p: Params, productId: string, inlineClock: string | null, inline = false): Price {
    const currency = p.reqStr('currency').toLowerCase();
    const unitAmount = p.has('unit_amount_decimal')
      ? Math.round(Number(p.reqStr('unit_amount_decimal')))
      : p.reqInt('unit_amount', { min: 0 });
    const rec = p.obj('recurring');
    let recurring: Price['recurring'] = null;
    if (rec) {
      const interval = rec.enum('interval', ['day', 'week', 'month', 'year'] as const);
      if (!interval) throw invalidParam(rec.path('interval'), `Missing required param: ${rec.path('interval')}.`, 'parameter_missing');
      const count = rec.int('interval_count', { min: 1 }) ?? 1;
      const maxCount = { day: 1095, week: 156, month: 36, year: 3 }[interval];
      if (count > maxCount) {
        throw invalidParam(rec.path('interval_count'), `The maximum billing interval is 3 years.`, 'parameter_invalid_integer');
      }
      recurring = { interval, interval_count: count, meter: null, trial_period_days: null, usage_type: 'licensed' };
    }
    const price: Price = {
      id: newId('price'),
      object: 'price',
      active: inline ? false : (p.bool('active') ?? true),
      billing_scheme: 'per_unit',
      created: this.now(inlineClock),
      currency,
      custom_unit_amount: null,
      livemode: false,
      lookup_key: p.str('lookup_key') ?? null,
      metadata: p.metadata(),
      nickname: p.str('nickname') ?? null,
      product: productId,
      recurring,
      tax_behavior: p.enum('tax_behavior', ['exclusive', 'inclusive', 'unspecified'] as const) ?? 'unspecified',
      tiers_mode: null,
      transform_quantity: null,
      type: recurring ? 'recurring' : 'one_time',
      unit_amount: unitAmount,
      unit_amount_decimal: String(unitAmount),
    };
    this.store.insert(price, ctx.account);
    if (!inline) this.emit(ctx, 'price.created', price);
    return price;
  }

  updatePrice(ctx: Ctx, id: string, p: Params): Price {
    const price = this.store.get<Price>('price', id, ctx.account);
    const prev = this.track(price);
    if (p.has('active')) price.active = p.bool('active') ?? price.active;
    if (p.has('nickname')) price.nickname = p.str('nickname') || null;
    if (p.has('lookup_key')) price.lookup_key = p.str('lookup_key') || null;
    price.metadata = p.metadata(price.metadata);
    this.emit(ctx, 'price.updated', price, prev());
    return price;
  }

  /** `price` or inline `price_data` on subscription items, invoice items and checkout line items. */
  protected resolvePrice(ctx: Ctx, p: Params, clock: string | null): Price {
    const data = p.obj('price_data');
    if (data) {
      let productId: string;
      const productData = data.obj('product_data');
      if (productData) productId = this.createProduct(ctx, productData).id;
      else productId = this.store.get<Product>('product', data.reqStr('product'), ctx.account, data.path('product')).id;
      return this.buildPrice(ctx, data, productId, clock, true);
    }
    const price = this.store.get<Price>('price', p.reqStr('price'), ctx.account, p.path('price'));
    if (!price.active) throw invalidParam(p.path('price'), `The price specified is inactive. This field only accepts active prices.`);
    return price;
  }
}
