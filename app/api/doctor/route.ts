import { z } from 'zod';
import { diagnoseCertificate } from '@/lib/doctor/knowledge';
import { route } from '@/lib/server/route';

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
 * Text that is not a certificate is a 422 with lib/pki's code (MALFORMED, NOT_PEM_OR_DER, …).
 */
export const POST = route({ permission: 'certificate:diagnose', body: DiagnoseSchema }, ({ user, body }) => diagnoseCertificate(user, body.certificate));
