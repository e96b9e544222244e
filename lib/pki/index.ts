/**
 * X.509 for certfleet: server, browser and emulator share this code (WebCrypto + @peculiar/x509,
 * no node: imports). See docs/architecture.md → "Identity and formats".
 */
export { PkiError, isPkiError, type PkiErrorCode } from './errors';
export {
  normalizeSerial,
  decimalSerialToHex,
  normalizeSki,
  normalizeFingerprint,
  looksLikeHexId,
  classifyHexId,
  colonHex,
  type HexIdKind,
} from './format';
export {
  parseCsr,
  parseCertificate,
  parseCertificateChain,
  MIN_RSA_BITS,
  type ParsedCsr,
  type ParsedCertificate,
  type ParseCsrOptions,
  type PkiInput,
  type SubjectFields,
  type SanEntry,
  type KeyType,
} from './parse';
export {
  generateKeyPair,
  createCsr,
  generateKeyAndCsr,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  importPrivateKeyPem,
  publicKeyFromPrivate,
  signingAlgorithmFor,
  subjectToJsonName,
  type KeyOptions,
  type KeyAlgorithm,
  type CsrSubject,
  type CreateCsrParams,
  type KeyAndCsr,
} from './keys';
export { buildPkcs12, parsePkcs12, type BuildPkcs12Params, type ParsedPkcs12, type Pkcs12Algorithm } from './pkcs12';
export { encodePem, decodePemBlocks, normalizePemText, toCrlf, type PemBlock } from './pem';
