'use server';

import { addMtlsHost, removeMtlsHost, runEnforcementCheckNow, unwatchMtlsHost } from '@/lib/data/mtls';
import { MtlsHostSchema } from '@/lib/mtls/hostnames';
import { action } from '@/lib/server/action';
import type { ActionState } from '@/lib/validation/action-state';

// Every action is a public POST endpoint: action() checks the permission first. SUPPORT and MANAGER
// may look at the page; only 'mtls:manage' (ADMIN) changes anything.

export type MtlsHostState = ActionState<'hostname'>;

const REVALIDATE = ['/mtls', '/'] as const;

export const addMtlsHostAction = action(
  { permission: 'mtls:manage', schema: MtlsHostSchema, fields: ['hostname'], revalidate: REVALIDATE },
  async ({ hostname }, { user }) => {
    await addMtlsHost(user, hostname);
    return { message: `Client certificates are now requested on ${hostname}. Run the check to prove the blocking rule holds.` };
  },
);

export const removeMtlsHostAction = action({ permission: 'mtls:manage', schema: MtlsHostSchema, revalidate: REVALIDATE }, async ({ hostname }, { user }) => {
  await removeMtlsHost(user, hostname);
  return { message: `${hostname} no longer requires client certificates. certfleet keeps checking it until you stop watching it.` };
});

export const unwatchMtlsHostAction = action({ permission: 'mtls:manage', schema: MtlsHostSchema, revalidate: REVALIDATE }, async ({ hostname }, { user }) => {
  await unwatchMtlsHost(user, hostname);
  return { message: `certfleet no longer checks ${hostname}.` };
});

export const runEnforcementCheckAction = action({ permission: 'mtls:manage', revalidate: REVALIDATE }, async (_input, { user }) => {
  const { results } = await runEnforcementCheckNow(user);
  const bad = results.filter((r) => !r.enforced).map((r) => r.hostname);
  const hosts = `${results.length} host${results.length === 1 ? '' : 's'}`;
  return {
    message:
      results.length === 0
        ? 'No host to check: turn mTLS on for a hostname first.'
        : bad.length
          ? `Checked ${hosts}: not enforced on ${bad.join(', ')}.`
          : `Checked ${hosts}: the blocking rule is enforced on every one.`,
  };
});
