/** The hostnames on which the zone's managed CA's client certificates are requested (the edge's mTLS rule). */
import * as E from '../errors';
import { hostnameProblem } from '../hostnames';
import type { ZoneState } from './state';

export class HostnameAssociations {
  constructor(private readonly state: ZoneState) {}

  /**
   * PUT replaces the hostnames on which the zone's managed CA's client certificates are requested.
   * @see https://developers.cloudflare.com/api/resources/certificate_authorities/subresources/hostname_associations/methods/update/
   */
  set(hostnames: unknown): string[] {
    const list = hostnames === undefined ? [] : hostnames;
    if (!Array.isArray(list)) throw E.invalidAssociationHostname(String(list));
    const clean: string[] = [];
    for (const h of list) {
      const p = hostnameProblem(h);
      // Reserved/parse rules are SaaS-only; here a name only has to be a hostname (localhost names are fine locally).
      if (p === 'invalid' || p === 'nonAscii') throw E.invalidAssociationHostname(String(h));
      const lower = (h as string).toLowerCase();
      if (!clean.includes(lower)) clean.push(lower);
    }
    this.state.record({ t: 'assoc', v: clean });
    return clean;
  }

  list(): string[] {
    return [...this.state.associations];
  }
}
