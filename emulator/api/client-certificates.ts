/**
 * API Shield client certificates under /zones/{zone}/client_certificates.
 * @see https://developers.cloudflare.com/api/resources/client_certificates/
 */
import * as E from '../errors';
import { CERTIFICATE_STATUSES, type CertificateStatus, type EmulatorStore } from '../store';
import { intParam, paginate, type Route } from './http';

export function clientCertificateRoutes(store: EmulatorStore): Route[] {
  const cc = (id: string) => store.present(store.getClientCertificate(id));
  return [
    {
      pattern: ['zones', ':zone', 'client_certificates'],
      methods: {
        GET: ({ query }) => {
          const status = query.get('status') ?? 'all';
          if (status !== 'all' && !CERTIFICATE_STATUSES.includes(status as CertificateStatus)) throw E.invalidStatusFilter(status);
          let items = store.listClientCertificates(status as CertificateStatus | 'all');
          const offset = intParam(query, 'offset', 0, 0)!;
          const limit = intParam(query, 'limit', undefined, 1);
          items = items.slice(offset, limit === undefined ? undefined : offset + limit);
          const { result, resultInfo } = paginate(items, query);
          return { result: result.map((c) => store.present(c)), resultInfo };
        },
        POST: async ({ body }) => ({ result: store.present(await store.createClientCertificate(body)) }),
      },
    },
    {
      pattern: ['zones', ':zone', 'client_certificates', ':id'],
      methods: {
        GET: ({ params }) => ({ result: cc(params.id) }),
        DELETE: ({ params }) => ({ result: store.present(store.revokeClientCertificate(params.id)) }),
        PATCH: ({ params, body }) => {
          // The 2024 API had no body (PATCH meant reactivate); current SDKs send {reactivate: true}.
          if (body.reactivate === false) return { result: cc(params.id) };
          return { result: store.present(store.reactivateClientCertificate(params.id)) };
        },
      },
    },
  ];
}
