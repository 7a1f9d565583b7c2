// The second domain (test/fixtures/domain2): an online shop's customer support — orders, returns, products,
// cart, coupons, stock and call-backs. Different tools and a different voice (customers writing to support) from
// the home domain, so a demo tuned on one can be checked on the other. Values appear verbatim in the requests.
import type { ExpectedCall, Json } from '../../src/core/types';
import { type Ask, type Domain, type Rng, cap, fn } from './domain';

const CATEGORIES = ['electronics', 'books', 'clothing', 'home', 'toys', 'sports'];
const PRODUCTS = ['wireless earbuds', 'running shoes', 'a desk lamp', 'a yoga mat', 'a coffee grinder', 'a rain jacket', 'a board game', 'a phone case', 'noise cancelling headphones', 'a cookbook', 'a backpack', 'a smart watch', 'LEGO sets', 'a tent', 'a blender', 'wool socks', 'a graphic novel', 'a tennis racket'];
const COUPONS = ['SAVE10', 'WELCOME5', 'SPRING20', 'FREESHIP', 'VIP15', 'BLACKFRIDAY', 'STUDENT10', 'SUMMER25', 'HELLO2026', 'THANKYOU'];
const CITIES = ['Leeds', 'Bristol', 'Glasgow', 'Cardiff', 'Utrecht', 'Rotterdam', 'Antwerp', 'Ghent', 'Bordeaux', 'Nantes', 'Cologne', 'Leipzig', 'Turin', 'Bologna', 'Valencia', 'Malaga', 'Graz', 'Basel', 'Geneva', 'Aarhus', 'Gothenburg', 'Tampere', 'Gdansk', 'Brno'];
const COUNTRIES = ['UK', 'Netherlands', 'Belgium', 'France', 'Germany', 'Italy', 'Spain', 'Austria', 'Switzerland', 'Denmark'];
const STREETS = ['14 High Street', '2 Canal Street', '88 Rose Lane', '7 Market Square', '301 Queens Road', '46 Linden Way', '19 Mill Road', '5 Orchard Close'];
const REASONS: Record<string, string[]> = {
  changed_mind: ['I changed my mind', 'I don\'t want it anymore'],
  found_cheaper: ['I found it cheaper elsewhere', 'it is cheaper in another shop'],
  shipping_too_slow: ['shipping takes too long', 'it will arrive too late'],
  ordered_by_mistake: ['I ordered it by mistake', 'I clicked the wrong item'],
};
const QUESTIONS = ['Do you have a physical store?', 'What are your opening hours?', 'Is my data safe with you?', 'How long does shipping usually take?', 'Can I pay with PayPal?', 'Do you ship to Canada?', 'What is your return policy?', 'Who makes your own-brand products?', 'Thank you for the quick help!', 'Hi, anyone there?', 'Can I speak to a human?', 'Do you sell gift cards?', 'Are your products sustainable?', 'I love your shop!', 'What does express delivery cost?'];

function orderId(r: Rng): string { return `${r.pick(['AB', 'CD', 'EF', 'GH', 'KL', 'MN', 'PQ', 'RS', 'TU', 'XY'])}-${r.int(10000, 99999)}`; }
function sku(r: Rng): string { return `SKU-${r.int(1000, 9999)}`; }
function phone(r: Rng): string { return `+44 7${r.int(100, 999)} ${r.int(100000, 999999)}`; }
function time(r: Rng): string { return `${String(r.int(9, 17)).padStart(2, '0')}:${r.pick(['00', '30'])}`; }
function call(name: string, args: Record<string, Json>, extra: Partial<ExpectedCall> = {}): ExpectedCall { return { name, arguments: args, ...extra }; }

function track(r: Rng): Ask {
  const order_id = orderId(r);
  return { single: r.pick([`Where is my order ${order_id}?`, `Can you track order ${order_id}?`, `Status of ${order_id} please.`, `My parcel ${order_id} hasn't arrived yet.`]), clause: `track order ${order_id}`, call: call('track_order', { order_id }) };
}

function cancel(r: Rng): Ask {
  const order_id = orderId(r);
  const reason = r.pick(Object.keys(REASONS));
  const why = r.pick(REASONS[reason]!);
  return { single: `Please cancel order ${order_id}, ${why}.`, clause: `cancel order ${order_id} because ${why}`, call: call('cancel_order', { order_id, reason }) };
}

function search(r: Rng): Ask {
  const product = r.pick(PRODUCTS);
  const query = product.replace(/^an? /, '');
  const v = r.int(0, 2);
  if (v === 0) return { single: `I'm looking for ${product}.`, clause: `find ${product}`, call: call('search_products', { query }) };
  if (v === 1) {
    const max_price = r.pick([15, 20, 25, 30, 40, 50, 60, 75, 100, 150, 200, 49.99]);
    return { single: `Show me ${product} under ${max_price} euros.`, clause: `show me ${product} under ${max_price} euros`, call: call('search_products', { query, max_price }) };
  }
  const category = r.pick(CATEGORIES);
  const sort = r.pick(['price_asc', 'price_desc', 'rating', 'newest']);
  const said = { price_asc: 'cheapest first', price_desc: 'most expensive first', rating: 'best rated first', newest: 'newest first' }[sort]!;
  return { single: `Search ${category} for ${query}, ${said}.`, clause: `search ${category} for ${query} sorted ${said}`, call: call('search_products', { query, category, sort }) };
}

function cart(r: Rng): Ask {
  const product_id = sku(r);
  const quantity = r.int(1, 6);
  if (quantity === 1 && r.chance(0.5)) return { single: `Add ${product_id} to my cart.`, clause: `add ${product_id} to my cart`, call: call('add_to_cart', { product_id, quantity: 1 }, { optional: ['quantity'] }) };
  return { single: r.pick([`Add ${quantity} of ${product_id} to my cart.`, `Put ${quantity} x ${product_id} in the basket.`]), clause: `add ${quantity} of ${product_id} to my cart`, call: call('add_to_cart', { product_id, quantity }) };
}

function coupon(r: Rng): Ask {
  const code = r.pick(COUPONS);
  return { single: r.pick([`Apply the coupon ${code}.`, `I have a discount code: ${code}.`, `Use code ${code} on my order.`]), clause: `apply the coupon ${code}`, call: call('apply_coupon', { code }) };
}

function ret(r: Rng): Ask {
  const order_id = orderId(r);
  const items = r.chance(0.6) ? [sku(r)] : [sku(r), sku(r)];
  const list = items.join(' and ');
  if (r.chance(0.5)) return { single: `I want to return ${list} from order ${order_id}.`, clause: `return ${list} from order ${order_id}`, call: call('request_return', { order_id, items }) };
  const refund_method = r.pick(['original_payment', 'store_credit']);
  const said = refund_method === 'store_credit' ? 'as store credit' : 'to my original payment method';
  return { single: `Return ${list} from ${order_id} and refund me ${said}.`, clause: `return ${list} from ${order_id} with a refund ${said}`, call: call('request_return', { order_id, items, refund_method }) };
}

function address(r: Rng): Ask {
  const order_id = orderId(r);
  const street = r.pick(STREETS), city = r.pick(CITIES), postal_code = String(r.int(1000, 9999));
  if (r.chance(0.5)) return { single: `Change the delivery address of ${order_id} to ${street}, ${city} ${postal_code}.`, clause: `change the delivery address of ${order_id} to ${street}, ${city} ${postal_code}`, call: call('update_shipping_address', { order_id, address: { street, city, postal_code } }) };
  const country = r.pick(COUNTRIES);
  return { single: `Ship ${order_id} to ${street}, ${city} ${postal_code}, ${country} instead.`, clause: `ship ${order_id} to ${street}, ${city} ${postal_code}, ${country}`, call: call('update_shipping_address', { order_id, address: { street, city, postal_code, country } }) };
}

function stock(r: Rng): Ask {
  const product_id = sku(r), city = r.pick(CITIES);
  return { single: r.pick([`Is ${product_id} in stock in ${city}?`, `Does the ${city} store have ${product_id}?`]), clause: `check if ${product_id} is in stock in ${city}`, call: call('check_store_stock', { product_id, city }) };
}

function callback(r: Rng): Ask {
  const p = phone(r);
  if (r.chance(0.5)) return { single: `Please call me back on ${p}.`, clause: `call me back on ${p}`, call: call('schedule_callback', { phone: p }) };
  const t = time(r);
  return { single: `Can someone call me at ${t} on ${p}?`, clause: `have someone call me at ${t} on ${p}`, call: call('schedule_callback', { phone: p, time: t }) };
}

const ORDER_ID = { type: 'string', pattern: '^[A-Z]{2}-\\d{5}$', description: 'order number like AB-12345' };
const SKU = { type: 'string', pattern: '^SKU-\\d{4}$' };

export const shopDomain: Domain = {
  name: 'shop',
  tools: [
    fn('track_order', 'Look up where an order is.', { order_id: ORDER_ID }, ['order_id']),
    fn('cancel_order', 'Cancel an order that has not shipped.', {
      order_id: ORDER_ID, reason: { type: 'string', enum: Object.keys(REASONS) },
    }, ['order_id', 'reason']),
    fn('search_products', 'Search the catalogue.', {
      query: { type: 'string' }, max_price: { type: 'number', exclusiveMinimum: 0, description: 'euros' },
      category: { type: 'string', enum: CATEGORIES }, sort: { type: 'string', enum: ['price_asc', 'price_desc', 'rating', 'newest'] },
    }, ['query']),
    fn('add_to_cart', 'Add a product to the cart.', {
      product_id: SKU, quantity: { type: 'integer', minimum: 1, maximum: 20, default: 1 },
    }, ['product_id']),
    fn('apply_coupon', 'Apply a discount code to the cart.', { code: { type: 'string', pattern: '^[A-Z0-9]{4,16}$' } }, ['code']),
    fn('request_return', 'Start a return for items of an order.', {
      order_id: ORDER_ID, items: { type: 'array', items: SKU, minItems: 1 },
      refund_method: { type: 'string', enum: ['original_payment', 'store_credit'], default: 'original_payment' },
    }, ['order_id', 'items']),
    fn('update_shipping_address', 'Change where an order is delivered.', {
      order_id: ORDER_ID,
      address: { type: 'object', properties: {
        street: { type: 'string' }, city: { type: 'string' }, postal_code: { type: 'string' }, country: { type: 'string' },
      }, required: ['street', 'city', 'postal_code'], additionalProperties: false },
    }, ['order_id', 'address']),
    fn('check_store_stock', 'Check whether a store in a city has a product.', { product_id: SKU, city: { type: 'string' } }, ['product_id', 'city']),
    fn('schedule_callback', 'Ask a support agent to phone the customer.', {
      phone: { type: 'string' }, time: { type: 'string', pattern: '^\\d{2}:\\d{2}$' },
    }, ['phone']),
  ],
  intents: [track, cancel, search, cart, coupon, ret, address, stock, callback],
  noCall: (r) => {
    const v = r.int(0, 2);
    if (v === 0) return r.pick(QUESTIONS);
    if (v === 1) return `${r.pick(['Is', 'Are'])} ${r.pick(PRODUCTS)} ${r.pick(['a good gift', 'worth it', 'easy to use', 'durable'])}?`;
    return `${r.pick(['What do you think of', 'Can you describe', 'Would you recommend'])} ${r.pick(PRODUCTS)} ${r.pick(['in general', 'for beginners', 'for kids', 'for travel'])}?`;
  },
  joins: [
    (a, b) => `${cap(a)} and ${b}.`,
    (a, b) => `Hi, please ${a}, and ${b}.`,
    (a, b) => `Could you ${a} and also ${b}?`,
  ],
};
