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
    const { result, resultInfo } = paginate(store.customCsrs.list(order, direction), ctx.query);
    return { result: result.map((c) => store.customCsrs.present(c)), resultInfo };
  };
  const create = async (ctx: Ctx) => ({ status: 201, result: store.customCsrs.present(await store.customCsrs.create(ctx.body)) });
  const get = (ctx: Ctx) => ({ result: store.customCsrs.present(store.customCsrs.get(ctx.params.id)) });
  const remove = (ctx: Ctx) => {
    store.customCsrs.delete(ctx.params.id);
    return { result: { id: ctx.params.id } };
  };
  return [
    { pattern: ['zones', ':zone', 'custom_csrs'], methods: { GET: list, POST: create } },
    { pattern: ['accounts', ':account', 'custom_csrs'], methods: { GET: list, POST: create } },
    { pattern: ['zones', ':zone', 'custom_csrs', ':id'], methods: { GET: get, DELETE: remove } },
    { pattern: ['accounts', ':account', 'custom_csrs', ':id'], methods: { GET: get, DELETE: remove } },
  ];
}
