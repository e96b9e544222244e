/**
 * Custom hostnames (Cloudflare for SaaS) under /zones/{zone}/custom_hostnames.
 * @see https://developers.cloudflare.com/api/resources/custom_hostnames/
 */
import * as E from '../errors';
import type { EmulatorStore } from '../store';
import { oneOf, paginate, type Route } from './http';

export function customHostnameRoutes(store: EmulatorStore): Route[] {
  return [
    {
      pattern: ['zones', ':zone', 'custom_hostnames'],
      methods: {
        GET: ({ query }) => {
          const id = query.get('id');
          const exact = query.get('hostname') ?? query.get('hostname.exact');
          const contain = query.get('hostname.contain');
          const startsWith = query.get('hostname.startsWith');
          if (id && (exact || contain || startsWith)) throw E.host.tooManyFilters();
          const order = oneOf(query, 'order', ['ssl', 'ssl_status'] as const, 'ssl');
          const direction = oneOf(query, 'direction', ['asc', 'desc'] as const, 'asc');
          const ssl = oneOf(query, 'ssl', ['0', '1'] as const, '0');
          let items = store.customHostnames.list().map((h) => store.customHostnames.present(h));
          if (id) items = items.filter((h) => h.id === id);
          if (exact) items = items.filter((h) => h.hostname === exact.toLowerCase());
          if (contain) items = items.filter((h) => h.hostname.includes(contain.toLowerCase()));
          if (startsWith) items = items.filter((h) => h.hostname.startsWith(startsWith.toLowerCase()));
          if (ssl === '1') items = items.filter((h) => h.ssl.status === 'active');
          if (order === 'ssl_status') items.sort((a, b) => a.ssl.status.localeCompare(b.ssl.status));
          if (direction === 'desc') items.reverse();
          const { result, resultInfo } = paginate(items, query);
          return { result, resultInfo };
        },
        POST: async ({ body }) => ({ status: 201, result: store.customHostnames.present(await store.customHostnames.create(body)) }),
      },
    },
    {
      pattern: ['zones', ':zone', 'custom_hostnames', ':id'],
      methods: {
        GET: ({ params }) => ({ result: store.customHostnames.present(store.customHostnames.get(params.id)) }),
        DELETE: ({ params }) => {
          store.customHostnames.delete(params.id);
          // The documented response is {id} at the top level (the SDK returns the body as is).
          return { result: { id: params.id }, top: { id: params.id } };
        },
        PATCH: () => {
          throw E.notImplemented('Editing a custom hostname');
        },
      },
    },
  ];
}
