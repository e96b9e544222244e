/**
 * What certfleet checks on a certificate the customer's CA signed for a custom CSR, before it is
 * sent to Cloudflare (seed 004, "Uploading the certificate"). Browser-safe, so the upload form shows
 * the same verdict as the server action that has the last word.
 */
import { isPkiError, parseCertificateChain, parseCsr, type ParsedCertificate } from '@/lib/pki';
import { nameCovers } from './hostnames';

export type CertificateProblemCode = 'UNREADABLE' | 'KEY_MISMATCH' | 'SELF_SIGNED' | 'HOSTNAME_NOT_COVERED' | 'EXPIRED' | 'NOT_YET_VALID';

export interface CertificateProblem {
  code: CertificateProblemCode;
  message: string;
}

export type CertificateCheck =
  | { ok: true; leaf: ParsedCertificate; problems: [] }
  | { ok: false; leaf?: ParsedCertificate; problems: CertificateProblem[] };

const day = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const shortHash = (hex: string) => `${hex.slice(0, 8)}…${hex.slice(-8)}`;

/**
 * Checks every rule and reports each broken one (not just the first), so one round trip tells the
 * customer everything to fix: the certificate's public key is the CSR's (compared by SHA-256 of the
 * SubjectPublicKeyInfo), it is not self-signed, it covers `hostname`, and it is valid now.
 */
export async function checkSignedCertificate(params: {
  csrPem: string;
  certificatePem: string;
  hostname: string;
  now?: Date;
}): Promise<CertificateCheck> {
  const now = params.now ?? new Date();
  let chain: ParsedCertificate[];
  try {
    chain = await parseCertificateChain(params.certificatePem);
  } catch (error) {
    const why = isPkiError(error) ? error.message : 'it cannot be decoded';
    return { ok: false, problems: [{ code: 'UNREADABLE', message: `This is not a certificate certfleet can read: ${why}.`.replace(/\.\.$/, '.') }] };
  }
  // A pasted chain holds the leaf and its intermediates; the leaf is the one that is not a CA (or the only one).
  const leaf = chain.length === 1 ? chain[0]! : (chain.find((c) => !c.isCa) ?? chain[0]!);
  const csr = await parseCsr(params.csrPem, { strict: false });
  const problems: CertificateProblem[] = [];

  if (leaf.spkiSha256 !== csr.spkiSha256) {
    problems.push({
      code: 'KEY_MISMATCH',
      message: `This certificate was not issued for this CSR: its public key (SHA-256 ${shortHash(leaf.spkiSha256)}) is not the CSR's (${shortHash(csr.spkiSha256)}). Send this CSR to the CA and upload the certificate it returns.`,
    });
  }
  if (leaf.isSelfSigned) {
    problems.push({
      code: 'SELF_SIGNED',
      message: 'This certificate is self-signed. Cloudflare accepts only certificates signed by a publicly trusted CA: have your CA sign the CSR.',
    });
  }
  const names = leaf.sanEntries.filter((n) => n.type === 'dns').map((n) => n.value);
  const covered = (names.length ? names : [leaf.subject.CN ?? '']).some((n) => n && nameCovers(n, params.hostname));
  if (!covered) {
    problems.push({
      code: 'HOSTNAME_NOT_COVERED',
      message: `The certificate does not cover ${params.hostname}: its names are ${names.length ? names.join(', ') : (leaf.subject.CN ?? 'none')}. Use one of them, or ask the CA for a certificate that includes ${params.hostname}.`,
    });
  }
  if (leaf.notAfter.getTime() <= now.getTime()) {
    problems.push({
      code: 'EXPIRED',
      message: `The certificate expired on ${day.format(leaf.notAfter)} UTC. Ask the CA to sign the CSR again.`,
    });
  } else if (leaf.notBefore.getTime() > now.getTime()) {
    problems.push({
      code: 'NOT_YET_VALID',
      message: `The certificate is not valid before ${day.format(leaf.notBefore)} UTC. Upload it after that, or check the CA's clock.`,
    });
  }
  return problems.length ? { ok: false, leaf, problems } : { ok: true, leaf, problems: [] };
}
