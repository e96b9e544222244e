/**
 * The EST commands of the "Connect your device" panel: what a device runs, with nothing but a shell, curl and
 * openssl, to fetch the CA chain, enroll with the bootstrap certificate and a one-time token, and renew with its
 * own certificate (docs/est.md). Pure text, so lib/est/est.edge.test.ts runs exactly what the panel shows.
 *
 * Each step is self-contained (a person may copy only one) and may be run again after an interruption: the key
 * and CSR are made once, and the loop repeats the same request after each `202`, waiting as long as
 * `Retry-After` says, so nothing is issued twice (RFC 7030 §4.2.3).
 * @see https://www.rfc-editor.org/rfc/rfc7030#section-4.2
 */
import type { ConnectInfo } from '@/lib/validation/enrollment';

export interface EstCommandParams {
  connect: Pick<ConnectInfo, 'endpoint' | 'serverCaFile'>;
  /** The device's name in certfleet: the token's HTTP Basic user name. */
  deviceName: string;
  /** Subject CN of the first enrollment's CSR (renewals take the certificate's own subject). */
  commonName: string;
  /** The new keys are like the current certificate's: 'EC' 256/384 or 'RSA' 2048+. */
  key: { type: string; size: number };
  /** Where the device keeps its certificate and key (the readings snippets use the same files) and the CA chain. */
  files: { cert: string; key: string; chain: string };
}

export interface EstCommands {
  /** The https origin the commands talk to, e.g. https://sensors.example.com */
  origin: string;
  /** The shell variable holding the one-time enrollment token. */
  tokenVariable: string;
  /** The bootstrap certificate and key every app bundle carries (seed 001). */
  bootstrap: { cert: string; key: string };
  cacerts: string[];
  enroll: string[];
  renew: string[];
}

export const EST_TOKEN_VARIABLE = 'EST_TOKEN';
export const BOOTSTRAP_FILES = { cert: 'bootstrap.pem', key: 'bootstrap-key.pem' } as const;

/** Quotes one word for sh only when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `-subj` of openssl req: `/` separates, `\` escapes. */
function subjectArg(commonName: string): string {
  return `/CN=${commonName.replace(/[\\/]/g, (c) => `\\${c}`)}`;
}

const rsaBits = (key: EstCommandParams['key']) => Math.max(2048, key.size || 2048);
const curve = (key: EstCommandParams['key']) => (key.size === 384 ? 'P-384' : 'P-256');

/** `openssl genpkey` options for a new key like the current one. */
function keyOptions(key: EstCommandParams['key']): string {
  return key.type === 'RSA' ? `-algorithm RSA -pkeyopt rsa_keygen_bits:${rsaBits(key)}` : `-algorithm EC -pkeyopt ec_paramgen_curve:${curve(key)}`;
}

/** `openssl req -newkey` options for the same. */
function newKeyOptions(key: EstCommandParams['key']): string {
  return key.type === 'RSA' ? `rsa:${rsaBits(key)}` : `ec -pkeyopt ec_paramgen_curve:${curve(key)}`;
}

function stem(file: string): string {
  return file.replace(/\.pem$/, '');
}

export function buildEstCommands({ connect, deviceName, commonName, key, files }: EstCommandParams): EstCommands {
  const origin = new URL(connect.endpoint).origin;
  const url = (op: string) => `${origin}/.well-known/est/${op}`;
  const q = shellQuote;
  const trust = connect.serverCaFile ? ` --cacert ${q(connect.serverCaFile)}` : '';
  const cert = q(files.cert);
  const keyFile = q(files.key);
  const csr = q(`${stem(files.cert)}.csr.b64`);
  const nextKey = q(`${stem(files.cert)}-next-key.pem`);
  const nextCert = q(`${stem(files.cert)}-next.pem`);
  const nextCsr = q(`${stem(files.cert)}-next.csr.b64`);
  const answer = 'est-answer.txt';
  const headers = 'est-headers.txt';

  // The same POST until it is no longer 202, sleeping Retry-After seconds between (RFC 7030 §4.2.3).
  const loop = (op: 'simpleenroll' | 'simplereenroll', clientCert: string, basic: string | null, body: string) =>
    [
      'while :; do',
      `  status=$(curl -sS${trust} ${clientCert} \\`,
      `    ${basic ? `-u ${basic} ` : ''}-H 'Content-Type: application/pkcs10' --data-binary @${body} \\`,
      `    -D ${headers} -o ${answer} -w '%{http_code}' ${url(op)})`,
      `  echo "${op}: HTTP $status"`,
      '  [ "$status" = 202 ] || break',
      `  retry=$(grep -i '^retry-after:' ${headers} | tr -dc 0-9)`,
      '  sleep "${retry:-30}"',
      'done',
    ].join('\n');
  // 200: base64 PKCS#7 certs-only → PEM; anything else: the reason is the body.
  const unpack = (out: string, then = '') =>
    [
      'if [ "$status" = 200 ]; then',
      `  openssl base64 -d -in ${answer} | openssl pkcs7 -inform DER -print_certs -out ${out}${then}`,
      'else',
      `  cat ${answer}`,
      'fi',
    ].join('\n');

  const bootstrapAuth = `--cert ${BOOTSTRAP_FILES.cert} --key ${BOOTSTRAP_FILES.key}`;
  return {
    origin,
    tokenVariable: EST_TOKEN_VARIABLE,
    bootstrap: { ...BOOTSTRAP_FILES },
    cacerts: [
      `curl -sS${trust} ${bootstrapAuth} ${url('cacerts')} \\\n  | openssl base64 -d | openssl pkcs7 -inform DER -print_certs -out ${q(files.chain)}`,
    ],
    enroll: [
      `[ -f ${csr} ] || openssl req -new -newkey ${newKeyOptions(key)} -nodes \\\n  -keyout ${keyFile} -subj ${q(subjectArg(commonName))} -outform DER | openssl base64 > ${csr}`,
      loop('simpleenroll', bootstrapAuth, `"${deviceName}:$${EST_TOKEN_VARIABLE}"`, csr),
      unpack(cert),
    ],
    renew: [
      [
        `[ -f ${nextCsr} ] || {`,
        `  openssl genpkey ${keyOptions(key)} -out ${nextKey} &&`,
        `  openssl x509 -x509toreq -in ${cert} -signkey ${nextKey} | openssl req -outform DER | openssl base64 > ${nextCsr}`,
        '}',
      ].join('\n'),
      loop('simplereenroll', `--cert ${cert} --key ${keyFile}`, null, nextCsr),
      unpack(nextCert, ` \\\n  && mv ${nextKey} ${keyFile} && mv ${nextCert} ${cert} && rm ${nextCsr}`),
    ],
  };
}
