'use client';

import { Clock } from 'lucide-react';
import Link from 'next/link';
import { useId, useState } from 'react';
import { IssuedOutcome } from '@/components/enrollment/issued-outcome';
import { initialKeyChoice, type KeyChoice, keyChoiceErrors, KeySourceFields } from '@/components/enrollment/key-source-fields';
import { IssueSubmit } from '@/components/enrollment/issue-submit';
import { useIssueAttempt } from '@/components/enrollment/use-issue-attempt';
import { ValidityDaysField } from '@/components/enrollment/validity-days-field';
import { buttonClasses } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import { FieldError, Input, Label } from '@/components/ui/input';
import type { ConnectInfo } from '@/lib/validation/enrollment';
import { renewCertificateAction, type RenewActionResult } from '../actions';

type Errors = Partial<Record<string, string[]>>;
type Renewed = Extract<RenewActionResult, { ok: true }> & { privateKeyPem: string | null };

interface CurrentCertificate {
  id: string;
  serialNumber: string;
  status: string;
  keyType: string;
  keySize: number;
  expiresOn: string;
  validityDays: number;
}

export function RenewWizard({
  device,
  current,
  waiting,
  connect,
}: {
  device: { id: string; name: string; commonName: string };
  current: CurrentCertificate;
  waiting: { oldSerial: string; newSerial: string; newId: string; supersededAt: string | null }[];
  connect: ConnectInfo;
}) {
  const id = useId();
  const [validityDays, setValidityDays] = useState(String(current.validityDays));
  const [revokeOld, setRevokeOld] = useState<'now' | 'when-seen'>('when-seen');
  const [keyChoice, setKeyChoice] = useState<KeyChoice>({ ...initialKeyChoice, keyType: current.keyType === 'RSA' ? 'RSA-2048' : 'P-256' });
  const [confirmNow, setConfirmNow] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const { issue, submitOnce, busy, message, setMessage } = useIssueAttempt();
  const [renewed, setRenewed] = useState<Renewed | null>(null);

  async function renew() {
    setMessage(null);
    const found: Errors = { ...keyChoiceErrors(keyChoice) };
    // The action's schema, loaded on the first submit rather than with the page.
    const { validityDaysSchema } = await import('@/lib/validation/enrollment');
    const days = validityDaysSchema.safeParse(validityDays);
    if (!days.success) found.validityDays = days.error.issues.map((i) => i.message);
    if (keyChoice.keySource === 'csr' && keyChoice.csrCheck?.ok && keyChoice.csrCheck.commonName !== device.commonName) {
      found.csrPem = [`The CSR's common name is "${keyChoice.csrCheck.commonName}"; this device's is "${device.commonName}".`];
    }
    if (revokeOld === 'now' && !confirmNow) found.confirmNow = ['Confirm that the device can be cut off from its current certificate.'];
    setErrors(found);
    if (Object.keys(found).length || !days.success) {
      setMessage('Check the highlighted fields.');
      return;
    }
    const fromCsr = keyChoice.keySource === 'csr';
    await issue({
      formKey: JSON.stringify([days.data, keyChoice.keySource, keyChoice.keyType, fromCsr ? keyChoice.csrCheck?.pem : '']),
      keyChoice,
      commonName: device.commonName,
      makingKey: 'Making the new key pair in this browser…',
      failed: 'Renewal failed.',
      send: (a) =>
        renewCertificateAction(null, {
          requestId: a.requestId,
          deviceId: device.id,
          replacesCertificateId: current.id,
          validityDays: days.data,
          keySource: keyChoice.keySource,
          keyType: fromCsr ? undefined : keyChoice.keyType,
          csrPem: a.csrPem,
          revokeOld,
        }),
      onIssued: (answer, privateKeyPem) => setRenewed({ ...answer, privateKeyPem }),
      onRefused: setErrors,
    });
  }

  if (renewed) {
    return (
      <IssuedOutcome
        message={renewed.message}
        bannerClassName="flex flex-col gap-2"
        deviceName={device.name}
        certificate={renewed.certificate}
        privateKeyPem={renewed.privateKeyPem}
        connect={connect}
      >
        <p data-testid="old-certificate-outcome">{renewed.oldCertificate.message}</p>
        <div>
          <Link href={`/devices/${device.id}`} className={buttonClasses({ variant: 'outline', size: 'sm' })}>
            Back to {device.name}
          </Link>
        </div>
      </IssuedOutcome>
    );
  }

  return (
    <div className="flex flex-col gap-6">
      <Card>
        <CardHeader>
          <h2 className="text-base font-semibold">Current certificate</h2>
          <CardDescription>
            Serial <code className="font-mono">{current.serialNumber}</code> · {current.keyType} {current.keySize} · {current.status.toLowerCase().replace('_', ' ')} ·
            expires {current.expiresOn.slice(0, 10)}
          </CardDescription>
        </CardHeader>
        {waiting.length ? (
          <CardContent>
            <ul className="flex flex-col gap-1 text-sm text-muted-foreground">
              {waiting.map((w) => (
                <li key={w.newId} className="flex items-center gap-2">
                  <Clock aria-hidden className="size-4" /> {w.oldSerial} is replaced by {w.newSerial} and is revoked once the device posts with it.
                </li>
              ))}
            </ul>
          </CardContent>
        ) : null}
      </Card>
      <Card>
        <CardContent className="pt-5">
          <form onSubmit={(e) => void submitOnce(e, renew)} noValidate className="flex max-w-2xl flex-col gap-6">
            <div className="grid gap-4 sm:grid-cols-2">
              <div className="flex flex-col gap-1.5">
                <Label htmlFor={`${id}-cn`}>Common name</Label>
                <Input id={`${id}-cn`} value={device.commonName} readOnly />
              </div>
              <ValidityDaysField idPrefix={id} value={validityDays} onChange={setValidityDays} errors={errors.validityDays} />
            </div>
            <KeySourceFields value={keyChoice} setValue={setKeyChoice} errors={errors} />
            <fieldset className="flex flex-col gap-2">
              <legend className="mb-2 text-sm font-medium">The current certificate</legend>
              <label className="flex items-start gap-2 text-sm">
                <input type="radio" name={`${id}-revoke`} className="mt-0.5" checked={revokeOld === 'when-seen'} onChange={() => setRevokeOld('when-seen')} />
                <span>
                  Revoke it automatically once the device is seen posting with the new certificate <span className="text-muted-foreground">(no downtime)</span>
                </span>
              </label>
              <label className="flex items-start gap-2 text-sm">
                <input type="radio" name={`${id}-revoke`} className="mt-0.5" checked={revokeOld === 'now'} onChange={() => setRevokeOld('now')} />
                <span>Revoke it now (reason: superseded)</span>
              </label>
              {revokeOld === 'now' ? (
                <label className="ml-6 flex items-start gap-2 text-sm">
                  <input type="checkbox" className="mt-0.5" checked={confirmNow} onChange={(e) => setConfirmNow(e.target.checked)} />
                  <span>I understand that {device.name} is refused at the edge until it uses the new certificate.</span>
                </label>
              ) : null}
              <FieldError id={`${id}-confirm-error`} errors={errors.confirmNow} />
            </fieldset>
            <IssueSubmit message={message} busy={busy} label="Issue replacement" busyLabel="Renewing…" />
          </form>
        </CardContent>
      </Card>
    </div>
  );
}
