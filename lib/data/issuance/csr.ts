/**
 * The checks of an issuance request made before anything is written: the CSR parsed as Cloudflare will judge it,
 * the validity in range; and the CSR digest that finds a certificate's request among a zone's certificates.
 */
import { isPkiError, parseCsr, type ParsedCsr } from '@/lib/pki';
import { sha256Hex } from '@/lib/pki/crypto';
import { decodePemBlocks } from '@/lib/pki/pem';
import { MAX_VALIDITY_DAYS, MIN_VALIDITY_DAYS } from '@/lib/validation/enrollment-constants';
import { IssuanceError } from './errors';

/**
 * Parses a CSR as Cloudflare will judge it, or refuses with the reason. Callers that check the CSR themselves
 * (its common name, an EST policy) pass the parsed value on to `issueCertificate` as `csr`.
 * @throws IssuanceError BAD_CSR
 */
export async function parseCsrForIssuance(csrPem: string): Promise<ParsedCsr> {
  try {
    return await parseCsr(csrPem);
  } catch (error) {
    if (isPkiError(error)) throw new IssuanceError('BAD_CSR', error.message, { field: 'csr' });
    throw error;
  }
}

/**
 * SHA-256 of a CSR's DER without parsing it: equal to `csrDigest()` of lib/certificates/record.ts, and
 * cheap enough to run over every certificate of a large zone. Undefined when the text holds no CSR.
 */
export async function csrPemDigest(csrPem: string): Promise<string | undefined> {
  try {
    const block = decodePemBlocks(csrPem).find((b) => b.label === 'CERTIFICATE REQUEST' || b.label === 'NEW CERTIFICATE REQUEST');
    return block ? await sha256Hex(block.der) : undefined;
  } catch {
    return undefined;
  }
}

/** @throws IssuanceError BAD_INPUT */
export function checkValidity(days: number): void {
  if (!Number.isInteger(days) || days < MIN_VALIDITY_DAYS || days > MAX_VALIDITY_DAYS) {
    throw new IssuanceError('BAD_INPUT', `Validity must be a whole number of days from ${MIN_VALIDITY_DAYS} to ${MAX_VALIDITY_DAYS}.`, {
      field: 'validityDays',
    });
  }
}
