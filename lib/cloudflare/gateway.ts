/**
 * All verbs of the door for one configuration and priority: client certificates, custom CSRs, custom
 * hostnames and hostname associations (each in its own module), over one SDK client whose every
 * request draws from the token's shared rate budget (door.ts, budget.ts). Server only.
 */
import 'server-only';
import type { CloudflarePriority, RateBudget } from './budget';
import { clientCertificates } from './client-certificates';
import type { CloudflareConfig } from './config';
import { customCsrs } from './custom-csrs';
import { openDoor, type DoorOptions } from './door';
import { customHostnames, hostnameAssociations } from './hostnames';

export type GatewayOptions = DoorOptions;

function compose(config: CloudflareConfig, options: GatewayOptions) {
  const door = openDoor(config, options);
  const hostnames = customHostnames(door);
  const { findHostnameUsingCsr, ...hostnameVerbs } = hostnames;
  return {
    config: { zoneId: config.zoneId, baseUrl: door.baseUrl } as const,
    budget: door.budget as RateBudget,
    priority: door.priority as CloudflarePriority,
    ...clientCertificates(door),
    ...customCsrs(door, findHostnameUsingCsr),
    ...hostnameVerbs,
    ...hostnameAssociations(door),
  };
}

export type CloudflareGateway = ReturnType<typeof compose>;

export function createCloudflareGateway(config: CloudflareConfig, options: GatewayOptions = {}): CloudflareGateway {
  return compose(config, options);
}
