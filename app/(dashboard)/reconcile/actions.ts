'use server';

import { after } from 'next/server';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { reconcileCertificates, ReconcileError } from '@/lib/data/reconcile';
import { attachUntrackedCertificate, getReconcileOverview } from '@/lib/data/reconcile-view';
import { action } from '@/lib/server/action';
import type { ActionState } from '@/lib/validation/action-state';

/**
 * Starts a reconcile run in the background (it may take minutes: it is paced under Cloudflare's rate
 * limit) and answers at once; the page follows its progress, so there is nothing to revalidate.
 */
export const startReconcileAction = action({ permission: 'certificate:reconcile' }, async (_input, { user }) => {
  const { state } = await getReconcileOverview(user);
  if (state?.running) throw new ReconcileError('RUNNING', 'A reconcile is running already; its results appear here when it finishes.');
  after(async () => {
    try {
      await reconcileCertificates(db(), user);
    } catch (error) {
      if (!(error instanceof ReconcileError)) console.error('reconcile failed:', error);
    }
  });
  return { message: 'Reconcile started.' };
});

export type AttachState = ActionState<'certificateId' | 'deviceName'>;

const AttachSchema = z.object({
  certificateId: z.string('Missing certificate id.').min(1, 'Missing certificate id.').max(64),
  deviceName: z.string('Enter the name of a device.').trim().min(1, 'Enter the name of a device.').max(64, 'Use at most 64 characters.'),
});

/**
 * Attaches an untracked certificate to a device, named in the form. No revalidation: it would re-render
 * this page at once and take the row, with its confirmation, away. The lists are dynamic pages and show
 * the change on their next visit anyway.
 */
export const attachCertificateAction = action({ permission: 'certificate:reconcile', schema: AttachSchema, fields: ['deviceName'] }, async (input, { user }) => {
  const { device, certificate } = await attachUntrackedCertificate(user, input.certificateId, input.deviceName);
  return { message: `Certificate ${certificate.serialNumber} now belongs to ${device.name}.` };
});
