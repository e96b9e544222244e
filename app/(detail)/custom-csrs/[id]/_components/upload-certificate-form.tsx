'use client';

import { Upload } from 'lucide-react';
import { type FormEvent, startTransition, useActionState, useState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { PemTextarea } from '@/components/ui/textarea';
import type { UploadCertificateField } from '@/lib/validation/custom-csr-constants';
import { uploadCertificateAction, type UploadCertificateState } from '@/app/(dashboard)/custom-csrs/actions';
import { describedBy, FormField } from '@/components/ui/form-field';

type FieldErrors = Partial<Record<UploadCertificateField, string[]>>;

/**
 * Paste (or pick) what the customer's CA returned. The browser runs the same checks the server
 * action runs again before anything goes to Cloudflare, so most problems show at once.
 */
export function UploadCertificateForm({ id, csrPem, defaultHostname }: { id: string; csrPem: string; defaultHostname: string }) {
  const [state, formAction, pending] = useActionState<UploadCertificateState, FormData>(uploadCertificateAction, null);
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const [checking, setChecking] = useState(false);
  const [certificate, setCertificate] = useState('');
  const [seen, setSeen] = useState<UploadCertificateState>(state);

  if (state !== seen) {
    setSeen(state);
    if (state?.ok) setCertificate('');
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formData = new FormData(event.currentTarget);
    setChecking(true);
    try {
      // The action's schema, and the X.509 code that checks the certificate, are loaded on submit, not with the page.
      const { UploadCertificateSchema } = await import('@/lib/validation/custom-csr');
      const parsed = UploadCertificateSchema.safeParse(Object.fromEntries(formData));
      if (!parsed.success) {
        const errors: FieldErrors = {};
        for (const issue of parsed.error.issues) (errors[issue.path[0] as UploadCertificateField] ??= []).push(issue.message);
        setClientErrors(errors);
        return;
      }
      const { checkSignedCertificate } = await import('@/lib/custom-csrs/check-certificate');
      const check = await checkSignedCertificate({ csrPem, certificatePem: parsed.data.certificate, hostname: parsed.data.hostname });
      if (!check.ok) {
        const errors: FieldErrors = {};
        for (const p of check.problems) (errors[p.code === 'HOSTNAME_NOT_COVERED' ? 'hostname' : 'certificate'] ??= []).push(p.message);
        setClientErrors(errors);
        return;
      }
    } finally {
      setChecking(false);
    }
    setClientErrors(null);
    startTransition(() => formAction(formData));
  }

  const failed = state && !state.ok ? state : null;
  const errors: FieldErrors = clientErrors ?? failed?.fieldErrors ?? {};
  const message = clientErrors ? 'certfleet did not send this certificate to Cloudflare: fix what is highlighted.' : state?.message;

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4 rounded-lg border border-border p-4" aria-label="Upload the signed certificate">
      <div>
        <h3 className="text-sm font-semibold">Upload the signed certificate</h3>
        <p className="text-sm text-muted-foreground">
          certfleet checks it first: issued for this CSR&apos;s key, not self-signed, covering the hostname, not expired. Then it creates the custom hostname at
          Cloudflare with this CSR&apos;s key.
        </p>
      </div>
      <input type="hidden" name="id" value={id} />
      <FormField id="upload-hostname" label="Hostname" errors={errors.hostname} hint="The custom hostname to create; the certificate must cover it.">
        <Input id="upload-hostname" name="hostname" autoComplete="off" defaultValue={failed?.values?.hostname ?? defaultHostname} {...describedBy('upload-hostname', errors.hostname, true)} />
      </FormField>
      <FormField id="upload-certificate" label="Certificate (PEM)" errors={errors.certificate} hint="Paste the certificate, or the certificate followed by its intermediates.">
        <PemTextarea
          pemLabel="CERTIFICATE"
          id="upload-certificate"
          name="certificate"
          rows={8}
          value={certificate}
          onChange={(event) => setCertificate(event.target.value)}
          {...describedBy('upload-certificate', errors.certificate, true)}
        />
      </FormField>
      <div className="flex flex-wrap items-center gap-3">
        <label className="text-sm text-muted-foreground">
          <span className="mr-2">Or pick a file:</span>
          <input
            type="file"
            accept=".pem,.crt,.cer,.txt"
            aria-label="Certificate file"
            className="text-sm"
            onChange={async (event) => {
              const file = event.target.files?.[0];
              if (file) setCertificate(await file.text());
            }}
          />
        </label>
      </div>
      <FormMessage ok={!!state?.ok && !clientErrors} message={message} />
      <div className="flex justify-end">
        <Button type="submit" disabled={pending || checking}>
          <Upload aria-hidden />
          {checking ? 'Checking…' : pending ? 'Creating the hostname…' : 'Check and upload'}
        </Button>
      </div>
    </form>
  );
}
