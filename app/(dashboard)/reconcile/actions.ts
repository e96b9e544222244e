'use server';

import { after } from 'next/server';
import { AuthError } from '@/lib/auth/errors';
import { requirePermission } from '@/lib/auth/session';
import { db } from '@/lib/db/client';
import { AttachError, attachUntrackedCertificate, getReconcileOverview, reconcileCertificates, ReconcileError } from '@/lib/data/reconcile';
import type { ActionState } from '@/lib/validation/action-state';

/**
 * Starts a reconcile run in the background (it may take minutes: it is paced under Cloudflare's rate
 * limit) and answers at once; the page follows its progress.
 */
export async function startReconcileAction(): Promise<ActionState> {
  try {
    const actor = await requirePermission('certificate:reconcile');
    const { state } = await getReconcileOverview(actor);
    if (state?.running) return { ok: false, message: 'A reconcile is running already; its results appear here when it finishes.' };
    // The page is dynamic and polls while the run goes: nothing to revalidate afterwards.
    after(async () => {
      try {
        await reconcileCertificates(db(), actor);
      } catch (error) {
        if (!(error instanceof ReconcileError)) console.error('reconcile failed:', error);
      }
    });
    return { ok: true, message: 'Reconcile started.' };
  } catch (error) {
    if (error instanceof AuthError) return { ok: false, message: error.message };
    throw error;
  }
}

export type AttachState = ActionState<'certificateId' | 'deviceName'>;

/** Attaches an untracked certificate to a device, named in the form. */
export async function attachCertificateAction(_previous: AttachState, formData: FormData): Promise<AttachState> {
  let done: string;
  try {
    const actor = await requirePermission('certificate:reconcile');
    const certificateId = String(formData.get('certificateId') ?? '');
    const deviceName = String(formData.get('deviceName') ?? '').trim();
    if (!deviceName) return { ok: false, fieldErrors: { deviceName: ['Enter the name of a device.'] }, values: { deviceName } };
    const { device, certificate } = await attachUntrackedCertificate(actor, certificateId, deviceName);
    done = `Certificate ${certificate.serialNumber} now belongs to ${device.name}.`;
  } catch (error) {
    if (error instanceof AuthError) return { ok: false, message: error.message };
    if (error instanceof AttachError) return { ok: false, message: error.message, fieldErrors: { [error.field]: [error.message] } };
    throw error;
  }
  // No revalidation: it would re-render this page at once and take the row, with its confirmation,
  // away. The lists are dynamic pages and show the change on their next visit anyway.
  return { ok: true, message: done };
}
