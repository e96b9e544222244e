import { x509 } from './crypto';

/**
 * Whether `certPem` names `issuer` as its issuer and carries a valid signature of the issuer's key, within its
 * validity period. False (never a throw) for anything that does not verify.
 */
export async function isIssuedBy(certPem: string, issuer: x509.X509Certificate): Promise<boolean> {
  const cert = new x509.X509Certificate(certPem);
  if (cert.issuer !== issuer.subject) return false;
  try {
    return await cert.verify({ publicKey: issuer.publicKey, signatureOnly: false });
  } catch {
    return false;
  }
}
