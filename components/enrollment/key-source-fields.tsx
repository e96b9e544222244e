'use client';

import { FileUp, ShieldCheck, ShieldX } from 'lucide-react';
import { type ChangeEvent, type Dispatch, type SetStateAction, useId, useRef } from 'react';
import { FieldError, Label } from '@/components/ui/input';
import { cn } from '@/components/ui/cn';
import { PemTextarea } from '@/components/ui/textarea';
import { KEY_TYPE_LABELS, KEY_TYPES, type KeySource, type KeyTypeChoice } from '@/lib/validation/enrollment-constants';
import { type CsrCheck, checkCsr } from './csr-check';

const KEY_SOURCE_CHOICES: { source: KeySource; title: string; detail: string }[] = [
  { source: 'browser', title: 'Make the key in this browser', detail: 'WebCrypto makes the key pair and CSR here. Only the CSR is sent; you download the key.' },
  { source: 'csr', title: "Use the device's own CSR", detail: 'The key stays on the device. Paste or upload the CSR it made (cfssl genkey, openssl req).' },
];

export interface KeyChoice {
  keySource: KeySource;
  keyType: KeyTypeChoice;
  csrText: string;
  /** The browser's reading of `csrText`; null until checked. */
  csrCheck: CsrCheck | null;
  /** The person has looked at the CSR's name and key and confirms them. */
  confirmed: boolean;
}

export const initialKeyChoice: KeyChoice = { keySource: 'browser', keyType: 'P-256', csrText: '', csrCheck: null, confirmed: false };

/** Problems that keep the form from being submitted, by field (the server checks the same again). */
export function keyChoiceErrors(choice: KeyChoice): Partial<Record<'csrPem' | 'confirmed', string[]>> {
  if (choice.keySource !== 'csr') return {};
  if (!choice.csrText.trim()) return { csrPem: ['Paste or upload the CSR.'] };
  if (!choice.csrCheck) return { csrPem: ['The CSR is still being checked.'] };
  // The problems themselves are listed once, in the CSR's summary below the field.
  if (!choice.csrCheck.ok) return { csrPem: ['This CSR would be refused: see why below.'] };
  if (!choice.confirmed) return { confirmed: ['Confirm the common name and key shown above.'] };
  return {};
}

/**
 * Where the device's key comes from: made here in the browser (it never leaves it), or the device's
 * own CSR (made with `cfssl genkey` or openssl), read and checked here before anything is sent.
 */
export function KeySourceFields({
  value,
  setValue,
  errors = {},
  onCsrRead,
}: {
  value: KeyChoice;
  setValue: Dispatch<SetStateAction<KeyChoice>>;
  errors?: Partial<Record<'csrPem' | 'confirmed' | 'keyType' | 'keySource', string[]>>;
  /** Called with the browser's reading of a newly pasted or uploaded CSR. */
  onCsrRead?: (check: CsrCheck) => void;
}) {
  const id = useId();
  const latestText = useRef('');

  const onChange = (next: Partial<KeyChoice>) => setValue((v) => ({ ...v, ...next }));

  async function setCsrText(csrText: string) {
    latestText.current = csrText;
    onChange({ csrText, csrCheck: null, confirmed: false });
    if (!csrText.trim()) return;
    const check = await checkCsr(csrText);
    // A slower check of older text must not overwrite the newer one's.
    setValue((v) => (v.csrText === csrText ? { ...v, csrCheck: check } : v));
    if (latestText.current === csrText) onCsrRead?.(check);
  }

  async function upload(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    if (file.size > 20_000) {
      onChange({ csrText: '', csrCheck: { ok: false, sans: [], problems: ['That file is far too large for a CSR.'] }, confirmed: false });
      return;
    }
    await setCsrText(await file.text());
  }

  return (
    <fieldset className="flex flex-col gap-4">
      <legend className="mb-2 text-sm font-medium">Private key</legend>
      <div role="radiogroup" aria-label="Where the key is made" className="grid gap-2 sm:grid-cols-2">
        {KEY_SOURCE_CHOICES.map((choice) => (
          <Choice key={choice.source} name={`${id}-source`} checked={value.keySource === choice.source} onSelect={() => onChange({ keySource: choice.source })} title={choice.title} detail={choice.detail} />
        ))}
      </div>

      {value.keySource === 'browser' ? (
        <div role="radiogroup" aria-label="Key type" className="flex flex-col gap-2">
          <span className="text-sm font-medium">Key type</span>
          {KEY_TYPES.map((type) => (
            <label key={type} className="flex items-center gap-2 text-sm">
              <input type="radio" name={`${id}-type`} value={type} checked={value.keyType === type} onChange={() => onChange({ keyType: type })} />
              {KEY_TYPE_LABELS[type]}
            </label>
          ))}
        </div>
      ) : (
        <div className="flex flex-col gap-2">
          <div className="flex items-center justify-between gap-2">
            <Label htmlFor={`${id}-csr`}>Certificate signing request (PEM)</Label>
            <label className="inline-flex cursor-pointer items-center gap-1.5 text-sm text-primary hover:underline">
              <FileUp aria-hidden className="size-4" />
              Upload a .csr file
              <input type="file" accept=".csr,.pem,.txt,.req" className="sr-only" onChange={(e) => void upload(e)} aria-label="Upload a CSR file" />
            </label>
          </div>
          <PemTextarea
            pemLabel="CERTIFICATE REQUEST"
            id={`${id}-csr`}
            value={value.csrText}
            onChange={(e) => void setCsrText(e.target.value)}
            rows={8}
            spellCheck={false}
            aria-invalid={!!errors.csrPem || undefined}
            aria-describedby={errors.csrPem ? `${id}-csr-error` : undefined}
          />
          <FieldError id={`${id}-csr-error`} errors={errors.csrPem} />
          {value.csrCheck ? <CsrSummary check={value.csrCheck} /> : null}
          {value.csrCheck?.ok ? (
            <label className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                className="mt-0.5"
                checked={value.confirmed}
                onChange={(e) => onChange({ confirmed: e.target.checked })}
                aria-describedby={errors.confirmed ? `${id}-confirm-error` : undefined}
              />
              The common name, names and key above are this device&apos;s.
            </label>
          ) : null}
          <FieldError id={`${id}-confirm-error`} errors={errors.confirmed} />
        </div>
      )}
    </fieldset>
  );
}

function Choice({ name, checked, onSelect, title, detail }: { name: string; checked: boolean; onSelect: () => void; title: string; detail: string }) {
  return (
    <label
      className={cn(
        'flex cursor-pointer items-start gap-2 rounded-md border p-3 text-sm',
        checked ? 'border-primary bg-primary/5' : 'border-border hover:bg-muted',
      )}
    >
      <input type="radio" name={name} checked={checked} onChange={onSelect} className="mt-0.5" />
      <span className="flex flex-col gap-0.5">
        <span className="font-medium">{title}</span>
        <span className="text-muted-foreground">{detail}</span>
      </span>
    </label>
  );
}

/** What the browser read from the CSR, for the person to confirm. */
export function CsrSummary({ check }: { check: CsrCheck }) {
  return (
    <div
      data-testid="csr-summary"
      className={cn('rounded-md border p-3 text-sm', check.ok ? 'border-emerald-300 dark:border-emerald-900' : 'border-red-300 dark:border-red-900')}
    >
      <p className="mb-2 flex items-center gap-1.5 font-medium">
        {check.ok ? <ShieldCheck aria-hidden className="size-4 text-emerald-600" /> : <ShieldX aria-hidden className="size-4 text-destructive" />}
        {check.ok ? 'The CSR checks out' : 'This CSR would be refused'}
      </p>
      {check.problems.length ? (
        <ul className="mb-2 list-disc pl-5 text-destructive">
          {check.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
      {check.key ? (
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
          <dt className="text-muted-foreground">Common name</dt>
          <dd data-testid="csr-cn" className="font-mono break-all">{check.commonName ?? '—'}</dd>
          <dt className="text-muted-foreground">Subject</dt>
          <dd className="font-mono break-all">{check.subject || '—'}</dd>
          <dt className="text-muted-foreground">Names (SANs)</dt>
          <dd data-testid="csr-sans" className="font-mono break-all">{check.sans.length ? check.sans.join(', ') : 'none'}</dd>
          <dt className="text-muted-foreground">Key</dt>
          <dd data-testid="csr-key">{check.key}</dd>
          <dt className="text-muted-foreground">Signature</dt>
          <dd>
            {check.signatureAlgorithm} · {check.signatureValid ? 'verifies' : 'does not verify'}
          </dd>
        </dl>
      ) : null}
    </div>
  );
}
