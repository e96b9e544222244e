/**
 * Password-protected PKCS#12 (.p12/.pfx) bundles: the form seed 001 embeds in the iOS app
 * (`openssl pkcs12 -export`) and the one Android and most MDMs import.
 *
 * node-forge's high-level PKCS#12 API only handles RSA keys and certificates, so the bundle is
 * assembled here from DER at the ASN.1 level (same layout as forge's toPkcs12Asn1): ECDSA P-256
 * device keys go in the same way as RSA ones. Runs in the browser too (forge is pure JS).
 * @see https://datatracker.ietf.org/doc/html/rfc7292
 */
import forge from 'node-forge';
import { sha256Hex, webcrypto } from './crypto';
import { PkiError } from './errors';
import { importPrivateKeyPem, publicKeyFromPrivate } from './keys';
import { parseCertificate } from './parse';
import { decodePemBlocks, encodePem } from './pem';

const { asn1, pki } = forge;

export type Pkcs12Algorithm = 'aes256' | '3des';

export interface BuildPkcs12Params {
  certificatePem: string;
  privateKeyPem: string;
  /** CA certificates to include after the leaf (PEM bundle or list). */
  chainPem?: string | string[];
  password: string;
  friendlyName?: string;
  /**
   * 'aes256' (PBES2 AES-256-CBC, PBKDF2-HMAC-SHA256, SHA-256 MAC; OpenSSL 3's default) or
   * '3des' (pbeWithSHAAnd3-KeyTripleDES-CBC, SHA-1 MAC) for older Android/iOS/Windows key stores
   * that cannot open AES bundles.
   */
  algorithm?: Pkcs12Algorithm;
  /** PBKDF iterations (default 2048, OpenSSL's default). */
  iterations?: number;
}

export interface ParsedPkcs12 {
  certificatePem: string;
  privateKeyPem: string;
  chainPem: string[];
  friendlyName?: string;
}

function bytesToBinary(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return s;
}

function binaryToBytes(bin: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const set = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, items);
const oid = (o: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(o).getBytes());
const octets = (bin: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bin);
const ctx0 = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, items);
const dataContentInfo = (inner: forge.asn1.Asn1) => seq([oid(pki.oids.data), ctx0([octets(asn1.toDer(inner).getBytes())])]);

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';

/** PKCS#8 PrivateKeyInfo ASN.1 from any of the PEM forms people have: PKCS#8, PKCS#1 RSA, SEC1 EC. */
function privateKeyInfoAsn1(pem: string): forge.asn1.Asn1 {
  const block = decodePemBlocks(pem).find((b) => b.label.endsWith('PRIVATE KEY'));
  if (!block) throw new PkiError('WRONG_TYPE', 'Expected a private key PEM (-----BEGIN PRIVATE KEY-----)');
  if (block.label === 'ENCRYPTED PRIVATE KEY') {
    throw new PkiError('BAD_INPUT', 'The private key is itself encrypted; decrypt it first (openssl pkcs8 -in key.pem -out plain.pem)');
  }
  const parsed = asn1.fromDer(bytesToBinary(block.der));
  if (block.label === 'PRIVATE KEY') return parsed;
  if (block.label === 'RSA PRIVATE KEY') return pki.wrapRsaPrivateKey(parsed);
  if (block.label === 'EC PRIVATE KEY') {
    // SEC1 ECPrivateKey keeps the curve in [0] parameters; PKCS#8 wants it in the AlgorithmIdentifier.
    const params = (parsed.value as forge.asn1.Asn1[]).find((v) => v.tagClass === asn1.Class.CONTEXT_SPECIFIC && v.type === 0);
    const curve = params && (params.value as forge.asn1.Asn1[])[0];
    if (!curve) throw new PkiError('MALFORMED', 'The EC private key does not name its curve');
    return seq([
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, '\x00'),
      seq([oid(OID_EC_PUBLIC_KEY), curve]),
      octets(asn1.toDer(parsed).getBytes()),
    ]);
  }
  throw new PkiError('UNSUPPORTED_KEY', `Unsupported private key PEM type "${block.label}"`);
}

async function assertKeyMatchesCertificate(pkcs8Der: Uint8Array, certificatePem: string): Promise<void> {
  const cert = await parseCertificate(certificatePem);
  let publicSpki: ArrayBuffer;
  try {
    const priv = await importPrivateKeyPem(encodePem(pkcs8Der, 'PRIVATE KEY'));
    publicSpki = await webcrypto.subtle.exportKey('spki', await publicKeyFromPrivate(priv));
  } catch (e) {
    if (e instanceof PkiError) throw e;
    throw new PkiError('UNSUPPORTED_KEY', 'The private key cannot be read', { cause: e });
  }
  if ((await sha256Hex(publicSpki)) !== cert.spkiSha256) {
    throw new PkiError('BAD_INPUT', 'The private key does not belong to this certificate');
  }
}

/**
 * Builds a password-protected PKCS#12 holding the certificate, its private key and the chain.
 * Refuses a key that does not match the certificate, so a bundle never fails only on the device.
 * @returns DER bytes (save as .p12 / .pfx)
 */
export async function buildPkcs12(params: BuildPkcs12Params): Promise<Uint8Array> {
  const algorithm = params.algorithm ?? 'aes256';
  const count = params.iterations ?? 2048;
  if (typeof params.password !== 'string') throw new PkiError('BAD_INPUT', 'A PKCS#12 bundle needs a password');

  const leafBlocks = decodePemBlocks(params.certificatePem).filter((b) => b.label === 'CERTIFICATE');
  if (leafBlocks.length === 0) throw new PkiError('WRONG_TYPE', 'Expected a certificate PEM (-----BEGIN CERTIFICATE-----)');
  const chainText = Array.isArray(params.chainPem) ? params.chainPem.join('\n') : (params.chainPem ?? '');
  const certDers = [leafBlocks[0].der, ...leafBlocks.slice(1).map((b) => b.der)];
  for (const b of decodePemBlocks(chainText)) if (b.label === 'CERTIFICATE') certDers.push(b.der);

  const keyInfo = privateKeyInfoAsn1(params.privateKeyPem);
  await assertKeyMatchesCertificate(binaryToBytes(asn1.toDer(keyInfo).getBytes()), encodePem(certDers[0], 'CERTIFICATE'));

  const sha1 = forge.md.sha1.create();
  sha1.update(bytesToBinary(certDers[0]));
  const attrs: forge.asn1.Asn1[] = [seq([oid(pki.oids.localKeyId), set([octets(sha1.digest().getBytes())])])];
  if (params.friendlyName) {
    attrs.push(
      seq([oid(pki.oids.friendlyName), set([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BMPSTRING, false, params.friendlyName)])]),
    );
  }
  const bagAttrs = set(attrs);

  const certBags = certDers.map((der, i) => {
    const bag = [
      oid(pki.oids.certBag),
      ctx0([seq([oid(pki.oids.x509Certificate), ctx0([octets(bytesToBinary(der))])])]),
    ];
    if (i === 0) bag.push(bagAttrs);
    return seq(bag);
  });

  const encOptions =
    algorithm === 'aes256'
      ? { algorithm: 'aes256', prfAlgorithm: 'sha256', count, saltSize: 16 }
      : { algorithm: '3des', count, saltSize: 8 };
  const keyBag = seq([
    oid(pki.oids.pkcs8ShroudedKeyBag),
    ctx0([pki.encryptPrivateKeyInfo(keyInfo, params.password, encOptions as never)]),
    bagAttrs,
  ]);

  const authSafe = seq([dataContentInfo(seq(certBags)), dataContentInfo(seq([keyBag]))]);

  const macMd = algorithm === 'aes256' ? forge.md.sha256.create() : forge.md.sha1.create();
  const macOid = algorithm === 'aes256' ? pki.oids.sha256 : pki.oids.sha1;
  const macSalt = forge.util.createBuffer(forge.random.getBytesSync(algorithm === 'aes256' ? 16 : 8));
  const macKey = forge.pkcs12.generateKey(params.password, macSalt, 3, count, algorithm === 'aes256' ? 32 : 20, macMd);
  const hmac = forge.hmac.create();
  hmac.start(macMd, macKey);
  hmac.update(asn1.toDer(authSafe).getBytes());
  const macData = seq([
    seq([seq([oid(macOid), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]), octets(hmac.digest().getBytes())]),
    octets(macSalt.getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(count).getBytes()),
  ]);

  const pfx = seq([
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(3).getBytes()),
    dataContentInfo(authSafe),
    macData,
  ]);
  return binaryToBytes(asn1.toDer(pfx).getBytes());
}

/**
 * Opens a PKCS#12 with its password. A wrong password is reported as such, not as "corrupt".
 * Works for bundles from openssl (AES or 3DES), from buildPkcs12, RSA or EC.
 */
export async function parsePkcs12(der: Uint8Array | ArrayBuffer, password: string): Promise<ParsedPkcs12> {
  const bytes = der instanceof Uint8Array ? der : new Uint8Array(der);
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const obj = asn1.fromDer(bytesToBinary(bytes));
    p12 = forge.pkcs12.pkcs12FromAsn1(obj, true, password);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/MAC could not be verified|Invalid password|wrong password|Unable to decrypt/i.test(msg)) {
      throw new PkiError('BAD_PASSWORD', 'The PKCS#12 password is wrong (or the file was damaged)', { cause: e });
    }
    throw new PkiError('MALFORMED', `This is not a readable PKCS#12 (.p12/.pfx) file: ${msg}`, { cause: e });
  }
  let privateKeyPem: string | undefined;
  let friendlyName: string | undefined;
  let localKeyId: string | undefined;
  const certs: { pem: string; localKeyId?: string }[] = [];
  for (const safe of p12.safeContents) {
    for (const bag of safe.safeBags) {
      const bagAny = bag as forge.pkcs12.Bag & { asn1?: forge.asn1.Asn1 };
      const id = bag.attributes?.localKeyId?.[0] as string | undefined;
      if (bag.type === pki.oids.pkcs8ShroudedKeyBag || bag.type === pki.oids.keyBag) {
        const keyAsn1 = bag.key ? pki.wrapRsaPrivateKey(pki.privateKeyToAsn1(bag.key)) : bagAny.asn1;
        if (!keyAsn1) continue;
        privateKeyPem = encodePem(binaryToBytes(asn1.toDer(keyAsn1).getBytes()), 'PRIVATE KEY');
        localKeyId = id;
        friendlyName ??= bag.attributes?.friendlyName?.[0] as string | undefined;
      } else if (bag.type === pki.oids.certBag) {
        const certAsn1 = bag.cert ? pki.certificateToAsn1(bag.cert) : bagAny.asn1;
        if (!certAsn1) continue;
        certs.push({ pem: encodePem(binaryToBytes(asn1.toDer(certAsn1).getBytes()), 'CERTIFICATE'), localKeyId: id });
        friendlyName ??= bag.attributes?.friendlyName?.[0] as string | undefined;
      }
    }
  }
  if (!privateKeyPem) throw new PkiError('BAD_INPUT', 'The PKCS#12 holds no private key');
  if (certs.length === 0) throw new PkiError('BAD_INPUT', 'The PKCS#12 holds no certificate');
  // The leaf is the certificate paired with the key by localKeyId; otherwise the first one.
  const leafIndex = Math.max(0, localKeyId ? certs.findIndex((c) => c.localKeyId === localKeyId) : 0);
  const [leaf] = certs.splice(leafIndex, 1);
  return { certificatePem: leaf.pem, privateKeyPem, chainPem: certs.map((c) => c.pem), friendlyName };
}
