import 'server-only';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import type { ParsedCsr } from '@/lib/pki';
import { type EnrollmentInput, EnrollmentSchema, type IssueActionResult } from '@/lib/validation/enrollment';
import { enrollmentRequestId } from './issuance/after-enroll';
import { parseCsrForIssuance } from './issuance/csr';
import { IssuanceError } from './issuance/errors';
import { issueCertificate } from './issuance/issue';
import type { IssuanceOptions, IssuanceResult } from './issuance/types';
import { fleetGroups } from './fleet-groups';

/**
 * Enrolls one device (ADMIN): the device row and its certificate come into being together, once per
 * request id. The CSR is checked here again whatever the browser checked; its common name must be
 * the one the person confirmed, because that is what the certificate will say. `options.csr`: `input.csrPem`
 * as the caller parsed it already (the REST API reads the common name from it), so it is not parsed again.
 * @throws IssuanceError (field errors for name, commonName, csr, validityDays), AuthError
 */
export async function enrollDevice(
  actor: SessionUser,
  input: EnrollmentInput,
  { csr: parsed, ...options }: IssuanceOptions & { csr?: ParsedCsr } = {},
): Promise<IssuanceResult> {
  assertCan(actor, 'device:enroll');
  const data = EnrollmentSchema.parse(input);
  const csr = parsed ?? (await parseCsrForIssuance(data.csrPem));
  assertCommonName(csr, data.commonName);
  return issueCertificate(
    {
      device: { create: { name: data.name, group: data.group, commonName: data.commonName } },
      csr,
      validityDays: data.validityDays,
      source: 'ENROLLED',
      actor,
      requestId: enrollmentRequestId(data.requestId),
    },
    options,
  );
}

/** The certificate carries the CSR's subject, so the device's common name must be the CSR's. */
export function assertCommonName(csr: ParsedCsr, commonName: string): void {
  const inCsr = csr.subject.CN?.trim() ?? '';
  if (inCsr !== commonName.trim()) {
    throw new IssuanceError(
      'BAD_INPUT',
      inCsr
        ? `The CSR's common name is "${inCsr}", not "${commonName}". Use the CSR's common name, or make a CSR for this one.`
        : 'The CSR has no common name (CN); make one with a CN.',
      { field: 'commonName' },
    );
  }
}

/** The groups the wizard offers (the fleet's, not the canaries'); a new one can be typed. */
export async function listEnrollmentGroups(actor: SessionUser): Promise<string[]> {
  assertCan(actor, 'device:enroll');
  return fleetGroups();
}

/** An issuance as the browser receives it (dates as ISO strings). */
export function issuedAnswer(result: IssuanceResult, what = 'Enrolled'): Extract<IssueActionResult, { ok: true }> {
  const c = result.certificate;
  const label = result.device?.name ?? c.commonName;
  return {
    ok: true,
    outcome: result.outcome,
    device: result.device,
    certificate: {
      id: c.id,
      cloudflareId: c.cloudflareId,
      serialNumber: c.serialNumber,
      ski: c.ski,
      fingerprintSha256: c.fingerprintSha256,
      commonName: c.commonName,
      keyType: c.keyType,
      keySize: c.keySize,
      issuedOn: c.issuedOn.toISOString(),
      expiresOn: c.expiresOn.toISOString(),
      validityDays: c.validityDays,
      pem: c.pem,
    },
    message:
      result.outcome === 'issued'
        ? `${what} ${label}: certificate ${c.serialNumber} issued.`
        : result.outcome === 'recovered'
          ? `${what} ${label}: Cloudflare had issued certificate ${c.serialNumber} for an earlier try of this submit; it is recorded now (not issued twice).`
          : `${what} ${label} already: this submit had succeeded (certificate ${c.serialNumber}).`,
  };
}
