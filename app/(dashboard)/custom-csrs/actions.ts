'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { AuthError } from '@/lib/auth/errors';
import { requirePermission } from '@/lib/auth/session';
import { CustomCsrError } from '@/lib/custom-csrs/errors';
import { createCustomCsr, deleteCustomCsr, reconcileCustomCsrsNow, uploadCustomCertificate } from '@/lib/data/custom-csrs';
import { type ActionState, invalidInput } from '@/lib/validation/action-state';
import {
  CUSTOM_CSR_FIELDS,
  CustomCsrSchema,
  type CustomCsrField,
  DeleteCustomCsrSchema,
  UploadCertificateSchema,
  type UploadCertificateField,
} from '@/lib/validation/custom-csr';

// Every action here is a public POST endpoint: each one checks the permission itself, first,
// whatever the page that renders its form has already checked. SUPPORT and MANAGER only view.

export type CreateCustomCsrState = ActionState<CustomCsrField>;
export type UploadCertificateState = ActionState<UploadCertificateField>;
export type CustomCsrChangeState = ActionState<'id'>;

export async function createCustomCsrAction(_previous: CreateCustomCsrState, formData: FormData): Promise<CreateCustomCsrState> {
  let id: string;
  try {
    const actor = await requirePermission('customcsr:manage');
    const values = typedValues(formData);
    const parsed = CustomCsrSchema.safeParse(values);
    if (!parsed.success) return invalidInput(parsed.error, values);
    id = (await createCustomCsr(actor, parsed.data)).id;
  } catch (error) {
    return expectedFailure(error, typedValues(formData));
  }
  revalidatePath('/custom-csrs');
  redirect(`/custom-csrs/${id}`);
}

export async function uploadCertificateAction(_previous: UploadCertificateState, formData: FormData): Promise<UploadCertificateState> {
  let done: string;
  let id: string;
  try {
    const actor = await requirePermission('customcsr:manage');
    const values = { id: text(formData, 'id'), hostname: text(formData, 'hostname'), certificate: text(formData, 'certificate') };
    const parsed = UploadCertificateSchema.safeParse(values);
    if (!parsed.success) return invalidInput(parsed.error, { hostname: values.hostname, certificate: values.certificate });
    id = parsed.data.id;
    const host = await uploadCustomCertificate(actor, parsed.data);
    const expiry = host.expiresOn ? ` It expires on ${host.expiresOn.toISOString().slice(0, 10)}.` : '';
    done = `Custom hostname ${host.hostname} created at Cloudflare (${host.sslStatus.replaceAll('_', ' ')}).${expiry}`;
  } catch (error) {
    return expectedFailure(error, { hostname: text(formData, 'hostname'), certificate: text(formData, 'certificate') });
  }
  revalidatePath(`/custom-csrs/${id}`);
  revalidatePath('/custom-csrs');
  return { ok: true, message: done };
}

export async function deleteCustomCsrAction(_previous: CustomCsrChangeState, formData: FormData): Promise<CustomCsrChangeState> {
  try {
    const actor = await requirePermission('customcsr:manage');
    const parsed = DeleteCustomCsrSchema.safeParse({ id: text(formData, 'id') });
    if (!parsed.success) return invalidInput(parsed.error);
    await deleteCustomCsr(actor, parsed.data.id);
  } catch (error) {
    return expectedFailure(error);
  }
  revalidatePath('/custom-csrs');
  redirect('/custom-csrs?deleted=1');
}

export async function reconcileCustomCsrsAction(_previous: CustomCsrChangeState, _formData: FormData): Promise<CustomCsrChangeState> {
  let done: string;
  try {
    const actor = await requirePermission('customcsr:manage');
    const s = await reconcileCustomCsrsNow(actor);
    const changes = [
      s.csrsImported && `${s.csrsImported} CSR${s.csrsImported === 1 ? '' : 's'} imported`,
      s.csrsRemoved && `${s.csrsRemoved} CSR${s.csrsRemoved === 1 ? '' : 's'} removed`,
      s.hostnamesImported && `${s.hostnamesImported} hostname${s.hostnamesImported === 1 ? '' : 's'} imported`,
      s.hostnamesUpdated && `${s.hostnamesUpdated} hostname${s.hostnamesUpdated === 1 ? '' : 's'} updated`,
      s.hostnamesRemoved && `${s.hostnamesRemoved} hostname${s.hostnamesRemoved === 1 ? '' : 's'} removed`,
    ].filter(Boolean);
    done = changes.length ? `Reconciled with Cloudflare: ${changes.join(', ')}.` : 'Reconciled with Cloudflare: certfleet already matched.';
  } catch (error) {
    return expectedFailure(error);
  }
  revalidatePath('/custom-csrs', 'layout');
  return { ok: true, message: done };
}

/** What the create form echoes back after a failure. */
function typedValues(formData: FormData): Record<CustomCsrField, string> {
  return Object.fromEntries(CUSTOM_CSR_FIELDS.map((f) => [f, text(formData, f)])) as Record<CustomCsrField, string>;
}

function text(formData: FormData, key: string): string {
  const value = formData.get(key);
  return typeof value === 'string' ? value : '';
}

/** A refusal (ours or Cloudflare's) is shown in the form; anything else is a bug for error.tsx. */
function expectedFailure<TField extends string>(error: unknown, values?: Partial<Record<TField, string>>): ActionState<TField> {
  if (error instanceof AuthError) return { ok: false, message: error.message };
  if (error instanceof CustomCsrError) {
    const field = error.extra.field as TField | undefined;
    const fieldErrors = field
      ? ({ [field]: error.extra.problems?.length ? error.extra.problems.map((p) => p.message) : [error.message] } as Partial<Record<TField, string[]>>)
      : undefined;
    const summary = error.extra.problems?.length
      ? 'certfleet did not send this certificate to Cloudflare: fix what is highlighted.'
      : 'Nothing was changed: see the highlighted field.';
    return { ok: false, message: fieldErrors ? summary : error.message, fieldErrors, values };
  }
  throw error;
}
