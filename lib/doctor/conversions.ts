/**
 * PEM ↔ DER ↔ PKCS#12, made in the browser (nothing is uploaded), with the openssl command that does
 * the same on a workstation, as seed 002's "Converting certificate formats" shows.
 */
import { decodePemBlocks } from '@/lib/pki/pem';
import type { ConversionKind } from './types';

export const CONVERSION_COMMANDS: Record<ConversionKind | 'from-p12', { title: string; commands: string[] }> = {
  pem: { title: 'PEM (.pem / .crt)', commands: ['openssl x509 -inform der -in certificate.der -out certificate.pem', 'openssl pkcs12 -in bundle.p12 -nokeys -clcerts -out certificate.pem'] },
  der: { title: 'DER (.der / .cer)', commands: ['openssl x509 -in certificate.pem -outform der -out certificate.der'] },
  p12: { title: 'PKCS#12 (.p12)', commands: ['openssl pkcs12 -export -out certificate.p12 -inkey private.key -in certificate.crt'] },
  'from-p12': { title: 'Key out of a .p12', commands: ['openssl pkcs12 -in bundle.p12 -nocerts -nodes -out private.key'] },
};

export function pemBytes(pem: string): Uint8Array {
  return new TextEncoder().encode(pem);
}

/** The certificate's DER bytes. */
export function derBytes(pem: string): Uint8Array {
  const block = decodePemBlocks(pem).find((b) => b.label === 'CERTIFICATE');
  if (!block) throw new Error('No certificate to convert');
  return block.der;
}

/** A PKCS#12 bundle of the certificate, its key and chain (3DES for old key stores when asked). */
export async function pkcs12Bytes(params: { certificatePem: string; privateKeyPem: string; chainPem: string[]; password: string; legacy?: boolean }): Promise<Uint8Array> {
  // node-forge and X.509 are loaded when a bundle is asked for, not with the page that offers it.
  const { buildPkcs12 } = await import('@/lib/pki');
  return buildPkcs12({
    certificatePem: params.certificatePem,
    privateKeyPem: params.privateKeyPem,
    chainPem: params.chainPem,
    password: params.password,
    algorithm: params.legacy ? '3des' : 'aes256',
    friendlyName: 'certfleet device certificate',
  });
}
