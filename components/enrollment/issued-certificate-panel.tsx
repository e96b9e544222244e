'use client';

import { Download, KeyRound, TriangleAlert } from 'lucide-react';
import { type FormEvent, useId, useState } from 'react';
import { useLeaveGuard } from '@/components/shell/leave-guard';
import { FormMessage } from '@/components/ui/alert';
import { Button, buttonClasses } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import { FieldError, Input, Label } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import type { Pkcs12Algorithm } from '@/lib/pki';
import { deviceFileNames } from './connect-snippets';
import { saveFile } from './download';
import type { ConnectInfo, IssuedCertificateInfo } from '@/lib/validation/enrollment';

const MIN_P12_PASSWORD = 8;

export const LEAVE_WITH_KEY_UNSAVED =
  'The private key made in this browser has not been downloaded. If you leave this page it is gone and the device needs a new certificate. Leave anyway?';

/**
 * The issued certificate and its files. A browser-made private key exists only in this tab: it is
 * offered as PEM and inside a password-protected PKCS#12, both built here, and the page asks before
 * it is left (reload, tab close, any link in the app, Back) while the key is not saved.
 */
export function IssuedCertificatePanel({
  deviceName,
  certificate,
  privateKeyPem,
  connect,
}: {
  deviceName: string;
  certificate: IssuedCertificateInfo;
  /** Present only when the key was made in this browser. */
  privateKeyPem: string | null;
  connect: ConnectInfo;
}) {
  const files = deviceFileNames(deviceName);
  const [keySaved, setKeySaved] = useState(false);

  // Until the key was saved (PEM or PKCS#12), leaving by any way asks first: reload, close, app links, Back.
  useLeaveGuard(!!privateKeyPem && !keySaved, LEAVE_WITH_KEY_UNSAVED);

  return (
    <Card>
      <CardHeader>
        <h2 className="text-base font-semibold">Certificate and files</h2>
        <CardDescription>Issued by the zone&apos;s Cloudflare-managed CA; valid until {new Date(certificate.expiresOn).toUTCString()}.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-5">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
          <dt className="text-muted-foreground">Common name</dt>
          <dd className="font-mono break-all">{certificate.commonName}</dd>
          <dt className="text-muted-foreground">Serial</dt>
          <dd data-testid="issued-serial" className="font-mono break-all">{certificate.serialNumber}</dd>
          <dt className="text-muted-foreground">SKI</dt>
          <dd data-testid="issued-ski" className="font-mono break-all">{certificate.ski}</dd>
          <dt className="text-muted-foreground">SHA-256 fingerprint</dt>
          <dd data-testid="issued-fingerprint" className="font-mono break-all">{certificate.fingerprintSha256}</dd>
          <dt className="text-muted-foreground">Key</dt>
          <dd>
            {certificate.keyType} {certificate.keySize}
          </dd>
          <dt className="text-muted-foreground">Valid</dt>
          <dd>
            {certificate.validityDays} days, until {certificate.expiresOn.slice(0, 10)}
          </dd>
        </dl>

        {privateKeyPem ? (
          <div role="alert" className="flex gap-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100">
            <TriangleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
            <p>
              <strong>Save the private key now.</strong> It was made in this browser and never sent to certfleet, so it cannot be fetched again: once you
              leave this page it is gone, and the device would need a new certificate.
            </p>
          </div>
        ) : (
          <p className="text-sm text-muted-foreground">The private key stays on the device that made the CSR; install the certificate next to it.</p>
        )}

        <div className="flex flex-wrap gap-2">
          <Button variant="outline" onClick={() => saveFile(files.cert, certificate.pem, 'application/x-pem-file')}>
            <Download aria-hidden /> Certificate (PEM)
          </Button>
          {privateKeyPem ? (
            <Button
              variant="outline"
              onClick={() => {
                saveFile(files.key, privateKeyPem, 'application/x-pem-file');
                setKeySaved(true);
              }}
            >
              <KeyRound aria-hidden /> Private key (PEM)
            </Button>
          ) : null}
          <a className={buttonClasses({ variant: 'outline' })} href="/api/ca?kind=zone" download={files.chain}>
            <Download aria-hidden /> CA chain
          </a>
          {connect.serverCaFile ? (
            <a className={buttonClasses({ variant: 'outline' })} href="/api/ca?kind=edge" download={connect.serverCaFile}>
              <Download aria-hidden /> Local edge&apos;s server CA
            </a>
          ) : null}
        </div>

        {privateKeyPem ? <Pkcs12Form deviceName={deviceName} certificatePem={certificate.pem} privateKeyPem={privateKeyPem} onSaved={() => setKeySaved(true)} /> : null}
      </CardContent>
    </Card>
  );
}

function Pkcs12Form({
  deviceName,
  certificatePem,
  privateKeyPem,
  onSaved,
}: {
  deviceName: string;
  certificatePem: string;
  privateKeyPem: string;
  onSaved: () => void;
}) {
  const id = useId();
  const [errors, setErrors] = useState<{ password?: string[]; confirm?: string[] }>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get('password') ?? '');
    const confirm = String(form.get('confirm') ?? '');
    const algorithm = String(form.get('algorithm') ?? 'aes256') as Pkcs12Algorithm;
    const next: typeof errors = {};
    if (password.length < MIN_P12_PASSWORD) next.password = [`Use at least ${MIN_P12_PASSWORD} characters.`];
    if (confirm !== password) next.confirm = ['The passwords differ.'];
    setErrors(next);
    if (next.password || next.confirm) return;
    setBusy(true);
    setMessage(null);
    try {
      // The chain is public; the key and the password never leave this page.
      const response = await fetch('/api/ca?kind=zone');
      const chainPem = response.ok ? await response.text() : undefined;
      // PKCS#12 (node-forge, X.509) is loaded on the click that downloads it, not with the page.
      const { buildPkcs12 } = await import('@/lib/pki');
      const bytes = await buildPkcs12({ certificatePem, privateKeyPem, chainPem, password, friendlyName: deviceName, algorithm });
      saveFile(deviceFileNames(deviceName).p12, bytes, 'application/x-pkcs12');
      onSaved();
      setMessage({
        ok: true,
        text: `Saved ${deviceFileNames(deviceName).p12}${chainPem ? ' with the CA chain' : ' (without the CA chain: it is not configured)'}. Give the password to whoever installs it through another channel.`,
      });
    } catch (error) {
      setMessage({ ok: false, text: error instanceof Error ? error.message : 'The PKCS#12 file could not be built.' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="flex flex-col gap-3 rounded-md border border-border p-4" aria-labelledby={`${id}-title`}>
      <div>
        <h3 id={`${id}-title`} className="text-sm font-medium">
          PKCS#12 for phones and key stores
        </h3>
        <p className="text-sm text-muted-foreground">
          Certificate, key and CA chain in one password-protected <code>.p12</code> (a <code>.pfx</code>), built in this browser.
        </p>
      </div>
      <div className="grid gap-3 sm:grid-cols-3">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-password`}>Password</Label>
          <Input id={`${id}-password`} name="password" type="password" autoComplete="new-password" aria-invalid={!!errors.password || undefined} aria-describedby={`${id}-password-error`} />
          <FieldError id={`${id}-password-error`} errors={errors.password} />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-confirm`}>Repeat password</Label>
          <Input id={`${id}-confirm`} name="confirm" type="password" autoComplete="new-password" aria-invalid={!!errors.confirm || undefined} aria-describedby={`${id}-confirm-error`} />
          <FieldError id={`${id}-confirm-error`} errors={errors.confirm} />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-algorithm`}>Encryption</Label>
          <Select id={`${id}-algorithm`} name="algorithm" defaultValue="aes256">
            <option value="aes256">AES-256 (current systems)</option>
            <option value="3des">3DES (older Android, iOS, Windows)</option>
          </Select>
        </div>
      </div>
      <FormMessage ok={message?.ok} message={message?.text} />
      <div>
        <Button type="submit" disabled={busy}>
          <Download aria-hidden /> {busy ? 'Building…' : 'Download PKCS#12'}
        </Button>
      </div>
    </form>
  );
}
