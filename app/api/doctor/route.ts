import { NextResponse } from 'next/server';
import { z } from 'zod';
import { withPermission } from '@/lib/auth/session';
import { diagnoseCertificate } from '@/lib/doctor/knowledge';
import { isPkiError } from '@/lib/pki';
import { invalidBody, readJson } from '../_lib/responses';

/** Only the public certificate: a body carrying a private key is refused, so a key can never be logged or stored here by mistake. */
const DiagnoseSchema = z
  .object({
    certificate: z
      .string('Send the certificate as PEM text.')
      .min(1, 'Send the certificate as PEM text.')
      .max(65_536, 'This is too long for a certificate (at most 64 KB).')
      .refine((pem) => !/PRIVATE KEY/.test(pem), 'Send only the certificate, never a private key: the doctor checks keys in the browser.'),
  })
  .strict();

/**
 * The certificate doctor's server half: `{ certificate: "-----BEGIN CERTIFICATE-----…" }` → what
 * certfleet knows of it (zone CA verdict, record and device, Cloudflare status, last seen, mTLS hosts).
 */
export const POST = withPermission('certificate:diagnose', async (request, _context, user) => {
  const read = await readJson(request);
  if ('response' in read) return read.response;
  const parsed = DiagnoseSchema.safeParse(read.body);
  if (!parsed.success) return invalidBody(parsed.error);
  try {
    return NextResponse.json(await diagnoseCertificate(user, parsed.data.certificate));
  } catch (error) {
    if (isPkiError(error)) return NextResponse.json({ error: error.message }, { status: 422 });
    throw error;
  }
});
