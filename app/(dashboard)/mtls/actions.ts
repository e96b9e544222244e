'use server';

import { revalidatePath } from 'next/cache';
import { AuthError } from '@/lib/auth/errors';
import { requirePermission } from '@/lib/auth/session';
import { addMtlsHost, removeMtlsHost, runEnforcementCheckNow, unwatchMtlsHost } from '@/lib/data/mtls';
import { MtlsError } from '@/lib/mtls/errors';
import { MtlsHostSchema } from '@/lib/mtls/hostnames';
import { type ActionState, invalidInput } from '@/lib/validation/action-state';

// Every action here is a public POST endpoint: each one checks the permission itself, first.
// SUPPORT and MANAGER may look at the page; only 'mtls:manage' (ADMIN) changes anything.

export type MtlsHostState = ActionState<'hostname'>;

export async function addMtlsHostAction(_previous: MtlsHostState, formData: FormData): Promise<MtlsHostState> {
  let hostname: string;
  try {
    const actor = await requirePermission('mtls:manage');
    const parsed = MtlsHostSchema.safeParse({ hostname: text(formData, 'hostname') });
    if (!parsed.success) return invalidInput(parsed.error, { hostname: text(formData, 'hostname') });
    hostname = parsed.data.hostname;
    await addMtlsHost(actor, hostname);
  } catch (error) {
    return expectedFailure(error, { hostname: text(formData, 'hostname') });
  }
  revalidate();
  return { ok: true, message: `Client certificates are now requested on ${hostname}. Run the check to prove the blocking rule holds.` };
}

export async function removeMtlsHostAction(_previous: MtlsHostState, formData: FormData): Promise<MtlsHostState> {
  let hostname: string;
  try {
    const actor = await requirePermission('mtls:manage');
    const parsed = MtlsHostSchema.safeParse({ hostname: text(formData, 'hostname') });
    if (!parsed.success) return invalidInput(parsed.error);
    hostname = parsed.data.hostname;
    await removeMtlsHost(actor, hostname);
  } catch (error) {
    return expectedFailure(error);
  }
  revalidate();
  return { ok: true, message: `${hostname} no longer requires client certificates. certfleet keeps checking it until you stop watching it.` };
}

export async function unwatchMtlsHostAction(_previous: MtlsHostState, formData: FormData): Promise<MtlsHostState> {
  let hostname: string;
  try {
    const actor = await requirePermission('mtls:manage');
    const parsed = MtlsHostSchema.safeParse({ hostname: text(formData, 'hostname') });
    if (!parsed.success) return invalidInput(parsed.error);
    hostname = parsed.data.hostname;
    await unwatchMtlsHost(actor, hostname);
  } catch (error) {
    return expectedFailure(error);
  }
  revalidate();
  return { ok: true, message: `certfleet no longer checks ${hostname}.` };
}

export async function runEnforcementCheckAction(_previous: MtlsHostState, _formData: FormData): Promise<MtlsHostState> {
  let message: string;
  try {
    const actor = await requirePermission('mtls:manage');
    const summary = await runEnforcementCheckNow(actor);
    const bad = summary.results.filter((r) => !r.enforced).map((r) => r.hostname);
    message =
      summary.results.length === 0
        ? 'No host to check: turn mTLS on for a hostname first.'
        : bad.length
          ? `Checked ${summary.results.length} host${summary.results.length === 1 ? '' : 's'}: not enforced on ${bad.join(', ')}.`
          : `Checked ${summary.results.length} host${summary.results.length === 1 ? '' : 's'}: the blocking rule is enforced on every one.`;
  } catch (error) {
    return expectedFailure(error);
  }
  revalidate();
  return { ok: true, message };
}

function revalidate() {
  revalidatePath('/mtls');
  revalidatePath('/');
}

function text(formData: FormData, key: string): string {
  const value = formData.get(key);
  return typeof value === 'string' ? value : '';
}

/** A refusal (ours or Cloudflare's) is shown in the form; anything else is a bug for error.tsx. */
function expectedFailure(error: unknown, values?: { hostname: string }): MtlsHostState {
  if (error instanceof AuthError) return { ok: false, message: error.message };
  if (error instanceof MtlsError) {
    return error.onField
      ? { ok: false, message: 'Nothing was changed: see the hostname.', fieldErrors: { hostname: [error.message] }, values }
      : { ok: false, message: error.message, values };
  }
  throw error;
}
