import { startHarness, Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

test('creates and retrieves a customer', async () => {
  const c = await h.stripe.customers.create({ email: 'a@example.com' });
  expect(c.id).toMatch(/^cus_/);
  const again = await h.stripe.customers.retrieve(c.id);
  expect(again).toMatchObject({ id: c.id, email: 'a@example.com', object: 'customer', livemode: false });
});
