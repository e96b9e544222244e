/**
 * Errors the local Cloudflare answers with, in Cloudflare's envelope. Codes and messages come from
 * Cloudflare's documentation where it has them (linked per group); where Cloudflare documents no
 * code (API Shield client certificates), the emulator uses its own 11xx block, marked below, so
 * certfleet never relies on a number the real API might not send: lib/cloudflare maps by HTTP
 * status first and uses codes only to refine.
 */

export interface ErrorItem {
  code: number;
  message: string;
  error_chain?: ErrorItem[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly errors: ErrorItem[];
  readonly headers: Record<string, string>;
  /** Extra top-level fields some endpoints add to failures. */
  constructor(status: number, errors: ErrorItem | ErrorItem[], headers: Record<string, string> = {}) {
    const list = Array.isArray(errors) ? errors : [errors];
    super(list.map((e) => `${e.code}: ${e.message}`).join('; '));
    this.name = 'ApiError';
    this.status = status;
    this.errors = list;
    this.headers = headers;
  }
}

const e = (status: number, code: number, message: string) => new ApiError(status, { code, message });

// --- Routing and authentication (observed responses of api.cloudflare.com) ---
export const noRoute = (path: string, withIdentifierHint: boolean) =>
  new ApiError(400, [
    ...(withIdentifierHint
      ? [{ code: 7003, message: `Could not route to ${path}, perhaps your object identifier is invalid?` }]
      : []),
    { code: 7000, message: 'No route for that URI' },
  ]);
export const methodNotAllowed = (method: string) => e(405, 7001, `Method ${method} not available for that URI.`);
export const missingAuth = () => e(400, 9106, 'Missing X-Auth-Key, X-Auth-Email or Authorization headers');
export const invalidHeaders = (chain: ErrorItem[]) =>
  new ApiError(400, { code: 6003, message: 'Invalid request headers', error_chain: chain });
export const badAuthorizationFormat = () => invalidHeaders([{ code: 6111, message: 'Invalid format for Authorization header' }]);
export const invalidToken = () => e(401, 1000, 'Invalid API Token');
export const unknownKey = () => e(403, 9103, 'Unknown X-Auth-Key or X-Auth-Email');
/** Valid credentials without access to the zone in the path. */
export const authenticationError = () => e(403, 10000, 'Authentication error');
/**
 * @see https://developers.cloudflare.com/fundamentals/api/reference/limits/
 */
export const rateLimited = (retryAfterSeconds: number) =>
  new ApiError(429, { code: 971, message: 'Please wait and consider throttling your request speed' }, {
    'retry-after': String(retryAfterSeconds),
  });
export const internalError = () => e(500, 1500, 'Internal Server Error');
export const invalidJson = () => e(400, 1400, 'Unable to decode the JSON request body. Check your input and try again.');
export const bodyTooLarge = () => e(413, 1400, 'The request body is too large.');
export const notImplemented = (what: string) => e(501, 1500, `${what} is not implemented by the local Cloudflare emulator.`);

// --- API Shield client certificates: Cloudflare documents no error codes; these 11xx are the emulator's. ---
export const clientCertInvalidCsr = (reason: string) => e(400, 1101, `Invalid CSR: ${reason}`);
export const clientCertMissingCsr = () => e(400, 1101, 'Invalid CSR: the csr field is required and must be a PEM string.');
export const clientCertInvalidValidity = (max: number) =>
  e(400, 1102, `validity_days must be a whole number of days between 1 and ${max}.`);
export const clientCertNotFound = () => e(404, 1103, 'Client certificate not found.');
export const clientCertQuotaExceeded = (quota: number) =>
  e(
    403,
    1104,
    `Client certificate quota exceeded: this zone may hold ${quota} unrevoked client certificates. Revoke certificates you no longer use.`,
  );
export const clientCertBadTransition = (message: string) => e(400, 1105, message);
export const invalidPagination = (message: string) => e(400, 1106, message);
export const invalidAssociationHostname = (hostname: string) =>
  e(400, 1107, `Invalid hostname "${hostname}" in hostnames. Check your input and try again.`);
export const mtlsCertificateUnsupported = () =>
  e(
    400,
    1108,
    'mtls_certificate_id is not supported by the local Cloudflare emulator: hostnames can only be associated with the zone’s Cloudflare Managed CA.',
  );
export const invalidStatusFilter = (status: string) =>
  e(400, 1109, `Invalid status "${status}". Use one of all, active, pending_reactivation, pending_revocation, revoked.`);

// --- Custom CSRs (reconstructed: ../shared/cloudflare-api/custom-csrs.json error_codes) ---
/** @see https://developers.cloudflare.com/cloudflare-for-platforms/cloudflare-for-saas/reference/status-codes/custom-csrs/ */
export const csr = {
  countryRequired: () => e(400, 1405, 'Country field is required. Check your input and try again.'),
  countryInvalid: () => e(400, 1405, 'Country must be a two-letter ISO 3166-1 code. Check your input and try again.'),
  stateRequired: () => e(400, 1406, 'State field is required. Check your input and try again.'),
  localityRequired: () => e(400, 1407, 'Locality field is required. Check your input and try again.'),
  organizationRequired: () => e(400, 1408, 'Organization field is required. Check your input and try again.'),
  commonNameRequired: () => e(400, 1409, 'Common Name field is required. Check your input and try again.'),
  commonNameTooLong: (max: number) =>
    e(400, 1410, `The specified Common Name is too long. Maximum allowed length is ${max} characters. Check your input and try again.`),
  sanRequired: () => e(400, 1411, 'At least one subject alternative name (SAN) is required. Check your input and try again.'),
  /** The SAN rules (emulator/hostnames.ts), worded as for SANs. */
  san: {
    invalid: () =>
      e(
        400,
        1412,
        "Invalid subject alternative name(s) (SAN). SANs have to be smaller than 256 characters in length, cannot be IP addresses, cannot contain any special characters such as ~`!@#$%^&*()=+{}[]|\\/:;\"'<>,?, and cannot begin or end with a '-' character. Check your input and try again.",
      ),
    nonAscii: () =>
      e(400, 1413, 'Subject Alternative Names (SANs) with non-ASCII characters are not supported. Check your input and try again.'),
    reserved: () =>
      e(
        400,
        1414,
        "Reserved top domain subject alternative names (SAN), such as 'test', 'example', 'invalid' or 'localhost', is not supported. Check your input and try again.",
      ),
    unparsable: (reason: string) =>
      e(400, 1415, `Unable to parse subject alternative name(s) (SAN) - ${reason}. Check your input and try again.`),
    exampleDomain: () =>
      e(
        400,
        1416,
        'Subject Alternative Names (SANs) ending in example.com, example.net, or example.org are prohibited. Check your input and try again.',
      ),
  },
  keyTypeInvalid: () => e(400, 1417, "Invalid key type. Only 'rsa2048' or 'p256v1' is accepted. Check your input and try again."),
  idInvalid: () => e(400, 1418, 'The custom CSR ID is invalid. Check your input and try again.'),
  notFound: () => e(404, 1419, 'The custom CSR was not found.'),
  inUse: () =>
    e(
      409,
      1420,
      'The custom CSR is associated with an active certificate pack. You will need to delete all associated active certificate packs before you can delete the custom CSR.',
    ),
};

// --- Custom hostnames ---
/** @see https://developers.cloudflare.com/cloudflare-for-platforms/cloudflare-for-saas/reference/status-codes/custom-hostnames/ */
export const host = {
  invalid: () =>
    e(
      400,
      1407,
      "Invalid custom hostname. Custom hostnames have to be smaller than 256 characters in length, cannot be IP addresses, cannot contain any special characters such as ~`!@#$%^&*()=+{}[]|\\/:;\"'<>,?, and cannot begin or end with a '-' character. Check your input and try again.",
    ),
  nonAscii: () => e(400, 1408, 'Custom hostnames with non-ASCII characters are not supported. Check your input and try again.'),
  reserved: () =>
    e(
      400,
      1409,
      "Reserved top domain custom hostnames, such as 'test', 'example', 'invalid' or 'localhost', is not supported. Check your input and try again.",
    ),
  unparsable: (reason: string) => e(400, 1410, `Unable to parse custom hostname - ${reason}. Check your input and try again.`),
  exampleDomain: () =>
    e(400, 1411, 'Custom hostnames ending in example.com, example.net, or example.org are prohibited. Check your input and try again.'),
  certUnparsable: () => e(400, 1426, 'The certificate that you uploaded cannot be parsed. Check your input and try again.'),
  certEmpty: () => e(400, 1427, 'The certificate that you uploaded is empty. Check your input and try again.'),
  keyUnparsable: () => e(400, 1428, 'The private key you uploaded cannot be parsed. Check your input and try again.'),
  keyMismatch: () => e(400, 1429, 'The private key you uploaded does not match the certificate. Check your input and try again.'),
  csrIdInvalid: () => e(400, 1430, 'The custom CSR ID is invalid. Check your input and try again.'),
  csrNotFound: () => e(404, 1431, 'The custom CSR was not found.'),
  sslInvalid: () => e(400, 1434, 'The SSL attribute is invalid. Refer to the API documentation, check your input and try again.'),
  idInvalid: () => e(400, 1435, 'The custom hostname ID is invalid. Check your input and try again.'),
  notFound: () => e(404, 1436, 'The custom hostname was not found.'),
  tooManyFilters: () =>
    e(400, 1438, 'Cannot specify other filter parameters in addition to `id`. Only one must be specified. Check your input and try again.'),
  untrusted: () =>
    e(
      400,
      1441,
      'The certificate that you uploaded is having trouble bundling against the public trust store. Check your input and try again.',
    ),
  noLeaf: () => e(400, 1445, 'The certificate chain that you uploaded has no leaf certificates. Check your input and try again.'),
  multipleLeaves: () =>
    e(400, 1444, 'The certificate chain that you uploaded has multiple leaf certificates. Check your input and try again.'),
  hostnameNotInCert: (hostname: string) =>
    e(400, 1446, `The certificate that you uploaded does not include the custom hostname - ${hostname}. Review your input and try again.`),
  unsupportedSignature: () =>
    e(
      400,
      1447,
      'The certificate that you uploaded does not use a supported signature algorithm. Only SHA-256/ECDSA, SHA-256/RSA, and SHA-1/RSA signature algorithms are supported. Review your input and try again.',
    ),
  badBundleMethod: () => e(400, 1449, 'The request input `bundle_method` must be one of: ubiquitous, optimal, force.'),
  duplicate: () => e(409, 1406, 'Duplicate custom hostname found.'),
};
