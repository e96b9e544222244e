/**
 * `npm run emulator:sign -- file.csr [--days N] [--out cert.pem] [--data-dir DIR]`
 * Plays the customer's public CA of seed 004: signs a CSR (e.g. one from POST custom_csrs) with the
 * emulator's "public" CA and prints the certificate, ready for POST custom_hostnames
 * (ssl.custom_certificate). Use `npm run -s emulator:sign …` to get only the PEM on stdout.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isPkiError, parseCertificate } from '@/lib/pki';
import { signWithPublicCaFiles } from './ca';
import { EmulatorStore } from './store';
import { emulatorDataDir } from './data-dir';

function usage(msg?: string): never {
  if (msg) console.error(msg);
  console.error('Usage: npm run emulator:sign -- file.csr [--days N] [--out cert.pem] [--data-dir DIR]');
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let days = 90;
  let out: string | undefined;
  let dataDir = emulatorDataDir(process.env.CERTFLEET_DATA_DIR || '.data', process.env.CLOUDFLARE_ZONE_ID || undefined);
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--days') days = Number(args[++i]);
    else if (a === '--out') out = args[++i];
    else if (a === '--data-dir') dataDir = args[++i];
    else if (a === '-h' || a === '--help') usage();
    else if (!file) file = a;
    else usage(`Unexpected argument: ${a}`);
  }
  if (!file) usage('Give the CSR file to sign.');
  if (!Number.isInteger(days) || days < 1 || days > 825) usage('--days must be a whole number from 1 to 825.');
  if (!existsSync(file)) usage(`No such file: ${file}`);

  const caDir = path.join(dataDir, 'ca');
  // Read the CA files directly when they exist, so a running emulator's state is left alone.
  if (!existsSync(path.join(caDir, 'public-ca.pem'))) {
    console.error(`No emulator state in ${dataDir} yet; creating its CAs (npm run emulator would too).`);
    (await EmulatorStore.open(dataDir)).compact();
  }
  const certPem = await signWithPublicCaFiles(caDir, readFileSync(file, 'utf8'), days);
  const cert = await parseCertificate(certPem);
  if (out) {
    writeFileSync(out, certPem);
    console.error(`Wrote ${out}`);
  } else {
    process.stdout.write(certPem);
  }
  console.error(
    `Signed by the emulator's public CA: CN=${cert.subject.CN ?? ''}, SANs ${cert.sans.join(', ') || '(none)'}, serial ${cert.serialNumber}, valid until ${cert.notAfter.toISOString()}`,
  );
}

main().catch((e: unknown) => {
  console.error(isPkiError(e) ? `Cannot sign: ${e.message}` : e);
  process.exit(1);
});
