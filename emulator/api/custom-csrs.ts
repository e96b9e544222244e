/**
 * Custom CSRs, zone- and account-scoped alike.
 * @see ../shared/cloudflare-api/custom-csrs.json
 */
import type { EmulatorStore } from '../store';
import { oneOf, paginate, type Ctx, type Route } from './http';

export function customCsrRoutes(store: EmulatorStore): Route[] {
  const list = (ctx: Ctx) => {
    const order = oneOf(ctx.query, 'order', ['name', 'account_tag', 'created_at'] as const, 'created_at');
    const direction = oneOf(ctx.query, 'direction', ['asc', 'desc'] as const, 'asc');
    const { result, resultInfo } = paginate(store.listCustomCsrs(order, direction), ctx.query);
    return { result: result.map((c) => store.presentCsr(c)), resultInfo };
  };
  const create = async (ctx: Ctx) => ({ status: 201, result: store.presentCsr(await store.createCustomCsr(ctx.body)) });
  const get = (ctx: Ctx) => ({ result: store.presentCsr(store.getCustomCsr(ctx.params.id)) });
  const remove = (ctx: Ctx) => {
    store.deleteCustomCsr(ctx.params.id);
    return { result: { id: ctx.params.id } };
  };
  return [
    { pattern: ['zones', ':zone', 'custom_csrs'], methods: { GET: list, POST: create } },
    { pattern: ['accounts', ':account', 'custom_csrs'], methods: { GET: list, POST: create } },
    { pattern: ['zones', ':zone', 'custom_csrs', ':id'], methods: { GET: get, DELETE: remove } },
    { pattern: ['accounts', ':account', 'custom_csrs', ':id'], methods: { GET: get, DELETE: remove } },
  ];
}
