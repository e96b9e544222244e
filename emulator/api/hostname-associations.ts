/**
 * The managed CA's hostname associations: where the edge applies the mTLS rule.
 * @see https://developers.cloudflare.com/api/resources/certificate_authorities/subresources/hostname_associations/
 */
import * as E from '../errors';
import type { EmulatorStore } from '../store';
import type { Route } from './http';

export function hostnameAssociationRoutes(store: EmulatorStore): Route[] {
  return [
    {
      pattern: ['zones', ':zone', 'certificate_authorities', 'hostname_associations'],
      methods: {
        GET: ({ query }) => {
          if (query.get('mtls_certificate_id')) throw E.mtlsCertificateUnsupported();
          return { result: { hostnames: store.hostnameAssociations() } };
        },
        PUT: ({ body }) => {
          if (body.mtls_certificate_id !== undefined) throw E.mtlsCertificateUnsupported();
          return { result: { hostnames: store.setHostnameAssociations(body.hostnames) } };
        },
      },
    },
  ];
}
