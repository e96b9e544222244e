// The wire shapes of the EST export API (/export/est/*, est.ts), in a module without imports: the Worker stores
// and serves them (est-store.ts), and certfleet's client (lib/est/worker-api.ts) imports these same types, so
// the two sides cannot drift apart.

export type EstKind = 'enroll' | 'reenroll';
export type EstStatus = 'pending' | 'issued' | 'rejected';

/** One enrollment token as certfleet pushes it (POST /export/est/tokens). */
export interface EstTokenSync {
  /** SHA-256 of the token's secret, lowercase hex. */
  hash: string;
  deviceId: string;
  /** The HTTP Basic user name the device must send with the token. */
  deviceName: string;
  expiresAtMs: number;
  /** Uses left (1 for a one-time token); 0 or `revoked` disables it. */
  usesLeft: number;
  revoked: boolean;
}

/** One EST request as GET /export/est/requests lists it. */
export interface EstRequestRow {
  id: string;
  kind: EstKind;
  status: EstStatus;
  deviceId: string | null;
  deviceName: string | null;
  /** simpleenroll: SHA-256 of the token that authorised it. */
  tokenHash: string | null;
  clientFingerprint: string;
  clientSerial: string;
  csrPem: string;
  csrSha256: string;
  certificatePem: string | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

/** certfleet's answer to a request (POST /export/est/requests/:id): the certificate, or why it refused. */
export type EstAnswer = { certificatePem: string } | { error: string };

/** A page of GET /export/est/requests; resume with after=nextCursor. */
export interface EstRequestPage {
  requests: EstRequestRow[];
  hasMore: boolean;
  nextCursor: string | null;
}
