/**
 * The doctor's verdicts: seed 002's troubleshooting list ("expired or revoked? key matches? right
 * format?") answered line by line from what the browser read and what certfleet knows. Pure, so it
 * runs in the browser and is tested without one.
 */
import type { BrowserFacts, ChecklistLine, DoctorKnowledge } from './types';

const DAY = 86_400_000;
/** Warn this long before expiry, so a renewal can still be planned. */
export const EXPIRY_WARNING_DAYS = 30;

const when = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const at = (iso: string) => `${when.format(new Date(iso))} UTC`;
const days = (ms: number) => {
  const d = Math.round(Math.abs(ms) / DAY);
  return `${d} day${d === 1 ? '' : 's'}`;
};

const REASONS: Record<string, string> = {
  KEY_COMPROMISE: 'key compromise',
  DEVICE_LOST: 'device lost',
  SUPERSEDED: 'superseded by a new certificate',
  DECOMMISSIONED: 'device decommissioned',
  OTHER: 'other',
};

const FORMAT_NAMES = { pem: 'PEM text', der: 'DER (binary)', pkcs12: 'a PKCS#12 bundle' } as const;

/** Every line, in the order a support engineer would ask. `knowledge` is null when the server was not asked (nothing readable). */
export function buildChecklist(facts: BrowserFacts, knowledge: DoctorKnowledge | null, now = new Date()): ChecklistLine[] {
  if (!facts.read.ok) return [parseFailure(facts)];
  const cert = facts.read.certificate;
  const lines: ChecklistLine[] = [];

  lines.push({
    id: 'parse',
    label: 'Parses',
    verdict: 'pass',
    summary: `A readable X.509 certificate, given as ${facts.inputKind ? FORMAT_NAMES[facts.inputKind] : 'text'}: ${cert.subjectDn || '(empty subject)'}, serial ${cert.serialNumber}.${
      facts.read.chainLength > 1 ? ` ${facts.read.chainLength - 1} more certificate${facts.read.chainLength > 2 ? 's' : ''} came with it.` : ''
    }`,
    next: facts.inputKind === 'der' ? 'Most device libraries (curl, Python requests, Node) want PEM: download it below.' : undefined,
    offer: facts.inputKind === 'der' ? ['pem'] : facts.inputKind === 'pkcs12' ? ['pem'] : ['der', 'p12'],
  });

  const notBefore = new Date(cert.notBefore).getTime();
  const notAfter = new Date(cert.notAfter).getTime();
  if (notAfter <= now.getTime()) {
    lines.push({
      id: 'validity',
      label: 'Not expired',
      verdict: 'fail',
      summary: `Expired on ${at(cert.notAfter)}, ${days(now.getTime() - notAfter)} ago. The edge refuses it (cert_verified is false).`,
      next: 'Issue a new certificate for this device (renew it in certfleet) and install it with its key.',
      commands: ['openssl x509 -noout -dates -in certificate.pem'],
    });
  } else if (notBefore > now.getTime()) {
    lines.push({
      id: 'validity',
      label: 'Not yet valid',
      verdict: 'fail',
      summary: `Not valid before ${at(cert.notBefore)}. A device whose clock is behind sees this too.`,
      next: "Check the device's clock (NTP); if it is right, wait until the start date or issue a new certificate.",
      commands: ['openssl x509 -noout -dates -in certificate.pem'],
    });
  } else {
    const left = notAfter - now.getTime();
    lines.push({
      id: 'validity',
      label: 'Not expired',
      verdict: left < EXPIRY_WARNING_DAYS * DAY ? 'warn' : 'pass',
      summary: `Valid from ${at(cert.notBefore)} until ${at(cert.notAfter)} (${days(left)} left).`,
      next: left < EXPIRY_WARNING_DAYS * DAY ? 'Renew it soon: it expires within a month.' : undefined,
    });
  }

  lines.push(issuerLine(cert, knowledge));
  lines.push(knownLine(knowledge));
  lines.push(statusLine(knowledge));

  const strong = cert.keyType === 'RSA' ? cert.keySize >= 2048 : cert.curve === 'P-256' || cert.curve === 'P-384';
  lines.push({
    id: 'key-strength',
    label: 'Key type and size',
    verdict: strong ? 'pass' : 'fail',
    summary: cert.keyType === 'RSA' ? `RSA ${cert.keySize} bits${strong ? '' : ': too weak (at least 2048)'}.` : `ECDSA ${cert.curve ?? `${cert.keySize} bits`}${strong ? '' : ': not a curve Cloudflare signs (use P-256)'}.`,
    next: strong ? undefined : 'Make a new key and CSR on the device (ECDSA P-256 or RSA 2048+) and have certfleet issue a certificate for it.',
    commands: strong ? undefined : ['openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout device.key -subj "/CN=<device>" -out device.csr'],
  });

  lines.push(keyMatchLine(facts));
  lines.push(hostLine(knowledge));
  lines.push(lastSeenLine(cert.fingerprintSha256, knowledge));
  return lines;
}

function parseFailure(facts: BrowserFacts): ChecklistLine {
  const read = facts.read as Extract<BrowserFacts['read'], { ok: false }>;
  const base = { id: 'parse' as const, label: 'Parses', verdict: 'fail' as const, summary: read.message };
  switch (read.failure) {
    case 'BAD_PASSWORD':
      return {
        ...base,
        next: "Ask for the bundle's password. If nobody has it, export the bundle again from the certificate and its key.",
        commands: ['openssl pkcs12 -info -noout -in bundle.p12', 'openssl pkcs12 -export -out certificate.p12 -inkey private.key -in certificate.crt'],
      };
    case 'NEEDS_PASSWORD':
      return { ...base, verdict: 'skip', next: 'Enter the password and diagnose again.' };
    case 'PRIVATE_KEY_ONLY':
      return { ...base, next: 'The certificate is the file with -----BEGIN CERTIFICATE-----. The key goes in the private-key box (it stays in this browser).' };
    case 'CSR':
      return { ...base, next: "Find the certificate Cloudflare issued for this CSR (certfleet's Certificates page has it)." };
    case 'EMPTY':
      return { ...base, verdict: 'skip' };
    default:
      return {
        ...base,
        next: 'Give the certificate as PEM (-----BEGIN CERTIFICATE-----), DER (.der/.cer) or a PKCS#12 bundle (.p12/.pfx) with its password. To see what a file is:',
        commands: ['openssl x509 -noout -subject -in file.pem', 'openssl x509 -inform der -noout -subject -in file.der', 'openssl pkcs12 -info -noout -in file.p12'],
      };
  }
}

function issuerLine(cert: { issuerDn: string; aki: string | null; isSelfSigned: boolean }, k: DoctorKnowledge | null): ChecklistLine {
  const label = "Issued by this zone's CA";
  if (!k) return { id: 'issuer', label, verdict: 'skip', summary: 'certfleet could not be asked.' };
  if (!k.zoneCa.configured) return { id: 'issuer', label, verdict: 'skip', summary: `Not checked: ${k.zoneCa.problem}` };
  if (k.zoneCa.akiMatches && k.zoneCa.signatureValid) {
    return { id: 'issuer', label, verdict: 'pass', summary: `Signed by ${k.zoneCa.subjectDn}: its authority key identifier is the CA's and the signature verifies.` };
  }
  const why = k.zoneCa.akiMatches
    ? "its authority key identifier names the zone's CA but the signature does not verify (altered or forged)"
    : cert.isSelfSigned
      ? 'it is self-signed'
      : `it was issued by ${cert.issuerDn || 'another CA'}`;
  return {
    id: 'issuer',
    label,
    verdict: 'fail',
    summary: `Not from this zone's managed CA: ${why}. Cloudflare's edge only accepts client certificates its managed CA issued.`,
    next: 'Issue the device a certificate through certfleet (Cloudflare signs it with the zone CA). To check any certificate against the zone CA:',
    commands: ['openssl verify -CAfile zone-ca.pem certificate.pem'],
  };
}

function knownLine(k: DoctorKnowledge | null): ChecklistLine {
  const label = 'Known to certfleet';
  if (!k) return { id: 'known', label, verdict: 'skip', summary: 'certfleet could not be asked.' };
  const r = k.record;
  if (!r) {
    return {
      id: 'known',
      label,
      verdict: 'fail',
      summary: 'certfleet has no record of this certificate (matched by SHA-256 fingerprint and serial).',
      next: k.cloudflare.status
        ? 'Cloudflare knows it: run the reconcile on the Certificates page so certfleet records it, then assign it to its device.'
        : 'It was not issued through this zone: the device needs a certificate issued through certfleet.',
    };
  }
  if (!r.device) return { id: 'known', label, verdict: 'warn', summary: 'Recorded, but not assigned to any device.', next: 'Assign it to the device it is installed on.' };
  if (r.device.isCanary) {
    return { id: 'known', label, verdict: 'warn', summary: `This is certfleet's own enforcement canary (${r.device.name}), revoked on purpose. It belongs on no device.` };
  }
  return {
    id: 'known',
    label,
    verdict: 'pass',
    summary: `Device ${r.device.name} (group ${r.device.group}, ${r.device.status.toLowerCase()}), source ${r.source.toLowerCase()}.`,
  };
}

function statusLine(k: DoctorKnowledge | null): ChecklistLine {
  const label = 'Status at Cloudflare';
  if (!k) return { id: 'status', label, verdict: 'skip', summary: 'certfleet could not be asked.' };
  const rev = k.record?.revocation;
  const by = rev
    ? ` Revoked${rev.at ? ` on ${at(rev.at)}` : ''}${rev.byEmail ? ` by ${rev.byEmail}` : ''}${rev.reason ? `, reason: ${REASONS[rev.reason] ?? rev.reason}` : ''}${rev.note ? ` — “${rev.note}”` : ''}.`
    : '';
  const source = k.cloudflare.checkedLive ? 'Cloudflare says' : `certfleet's records say (Cloudflare could not be asked: ${k.cloudflare.error ?? 'unknown error'})`;
  switch (k.cloudflare.status) {
    case 'active':
      return { id: 'status', label, verdict: 'pass', summary: `${source}: active.` };
    case 'pending_revocation':
      return {
        id: 'status',
        label,
        verdict: 'fail',
        summary: `${source}: pending revocation; the edge refuses it within minutes.${by}`,
        next: 'If the revocation was a mistake, SUPPORT or ADMIN can still press “Undo revocation” on its certificate page while it is pending; otherwise the device needs a new certificate.',
      };
    case 'revoked':
      return {
        id: 'status',
        label,
        verdict: 'fail',
        summary: `${source}: revoked.${by}`,
        next: 'The edge refuses this certificate for good, and a revoked certificate cannot be restored: renew the device (Renew on its page) to issue it a new one.',
      };
    case 'pending_reactivation':
      return { id: 'status', label, verdict: 'warn', summary: `${source}: being reactivated; it works again within minutes.${by}` };
    default:
      return {
        id: 'status',
        label,
        verdict: 'fail',
        summary: k.cloudflare.error ? `Cloudflare could not be asked: ${k.cloudflare.error}` : 'Cloudflare has no client certificate with this serial in this zone.',
        next: k.cloudflare.error ? 'Try again in a moment.' : 'The edge will not accept it: issue the device a certificate through certfleet.',
      };
  }
}

function keyMatchLine(facts: BrowserFacts): ChecklistLine {
  const label = 'Private key matches';
  const kc = facts.keyCheck;
  if (!kc.given) {
    return { id: 'key-match', label, verdict: 'skip', summary: 'No private key given. (Optional: it is checked in this browser and never sent.)' };
  }
  if (kc.matches) {
    return { id: 'key-match', label, verdict: 'pass', summary: `The private key (${kc.keyDescription}) belongs to this certificate. Checked in this browser; the key was not sent.`, offer: ['p12'] };
  }
  return {
    id: 'key-match',
    label,
    verdict: 'fail',
    summary: `${kc.message} Checked in this browser; the key was not sent.`,
    next:
      kc.reason === 'MISMATCH'
        ? 'The device presents this certificate but cannot prove it owns it, so the handshake fails. Install the key that was generated with this certificate\u2019s CSR, or issue a new certificate for this key. Compare the two public keys:'
        : 'Give the key as PEM (-----BEGIN PRIVATE KEY-----, or the legacy RSA/EC forms). To convert or inspect it:',
    commands:
      kc.reason === 'MISMATCH'
        ? ['openssl x509 -noout -pubkey -in certificate.pem | openssl sha256', 'openssl pkey -pubout -in private.key | openssl sha256']
        : ['openssl pkcs8 -topk8 -nocrypt -in private.key -out private-pkcs8.key'],
  };
}

function hostLine(k: DoctorKnowledge | null): ChecklistLine {
  const label = "The device's host has mTLS on";
  if (!k) return { id: 'host', label, verdict: 'skip', summary: 'certfleet could not be asked.' };
  const associated = k.mtls.hosts.filter((h) => h.associated);
  if (k.mtls.error && associated.length === 0) return { id: 'host', label, verdict: 'skip', summary: `Cloudflare could not be asked: ${k.mtls.error}` };
  if (associated.length === 0) {
    return {
      id: 'host',
      label,
      verdict: 'fail',
      summary: 'No hostname asks for client certificates: the edge never requests this certificate, so devices are not authenticated by it.',
      next: 'An admin turns mTLS on for the devices\u2019 hostname on the mTLS hosts page.',
    };
  }
  const describe = (h: (typeof associated)[number]) =>
    `${h.hostname} (${h.enforced === null ? 'not checked yet' : h.enforced ? `enforced at ${at(h.checkedAt!)}` : 'NOT enforced at the last check'})`;
  const notEnforced = associated.filter((h) => h.enforced !== true);
  return {
    id: 'host',
    label,
    verdict: notEnforced.length ? 'warn' : 'pass',
    summary: `Client certificates are requested on ${associated.map(describe).join(', ')}.`,
    next: notEnforced.length ? 'Run the enforcement check on the mTLS hosts page; a host that is not enforced lets devices in without a valid certificate.' : undefined,
  };
}

function lastSeenLine(fingerprint: string, k: DoctorKnowledge | null): ChecklistLine {
  const label = 'Last seen at the edge';
  if (!k) return { id: 'last-seen', label, verdict: 'skip', summary: 'certfleet could not be asked.' };
  const device = k.record?.device;
  const seenThis = k.certificateLastSeenAt;
  if (device?.lastSeenAt && device.lastSeenFingerprint && device.lastSeenFingerprint !== fingerprint) {
    return {
      id: 'last-seen',
      label,
      verdict: 'warn',
      summary: `${device.name} was last seen ${at(device.lastSeenAt)} with another certificate (SHA-256 ${device.lastSeenFingerprint.slice(0, 16)}…)${seenThis ? `; this one last on ${at(seenThis)}` : '; never with this one'}.`,
      next: 'The device is using a different certificate than this one: check which file it actually loads.',
    };
  }
  if (seenThis || (device?.lastSeenAt && device.lastSeenFingerprint === fingerprint)) {
    return { id: 'last-seen', label, verdict: 'pass', summary: `Last seen ${at((seenThis ?? device!.lastSeenAt)!)} presenting this certificate.` };
  }
  return {
    id: 'last-seen',
    label,
    verdict: 'warn',
    summary: device?.lastSeenAt ? `${device.name} was last seen ${at(device.lastSeenAt)}, but not with this certificate.` : 'The edge has never seen this certificate.',
    next: 'If the device should be posting, its requests do not reach the edge with this certificate: check its network, URL and the lines above.',
  };
}
