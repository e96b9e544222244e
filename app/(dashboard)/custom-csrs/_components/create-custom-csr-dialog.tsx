'use client';

import { FilePlus2 } from 'lucide-react';
import { useActionState, useState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { fieldClasses, Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { checkBeforeAction } from '@/lib/validation/check-form';
import { CUSTOM_CSR_KEY_TYPES, type CustomCsrField, KEY_TYPE_LABELS, MAX_COMMON_NAME } from '@/lib/validation/custom-csr-constants';
import { createCustomCsrAction, type CreateCustomCsrState } from '../actions';
import { describedBy, FormField } from '@/components/ui/form-field';

type FieldErrors = Partial<Record<CustomCsrField, string[]>>;

const TEXT_FIELDS: { name: CustomCsrField; label: string; hint?: string; placeholder?: string; autoComplete?: string }[] = [
  { name: 'commonName', label: 'Common name', hint: `The main hostname, at most ${MAX_COMMON_NAME} characters.`, placeholder: 'shop.acme-corp.com' },
  { name: 'organization', label: 'Organization', placeholder: 'Acme Corp' },
  { name: 'organizationalUnit', label: 'Organizational unit (optional)', placeholder: 'Web Operations' },
  { name: 'locality', label: 'Locality (city)', placeholder: 'Boston' },
  { name: 'state', label: 'State or province', placeholder: 'MA' },
  { name: 'country', label: 'Country', hint: 'Two letters (ISO 3166-1), such as US or DE.', placeholder: 'US' },
];

export function CreateCustomCsrDialog() {
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState<CreateCustomCsrState, FormData>(createCustomCsrAction, null);
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);

  // The same schema as the action, so most mistakes show without a round trip (loaded on the first submit).
  const validate = checkBeforeAction<CustomCsrField>(async (data) => {
    const { CustomCsrSchema } = await import('@/lib/validation/custom-csr');
    return CustomCsrSchema.safeParse(Object.fromEntries(data));
  }, setClientErrors, formAction);

  const failed = state && !state.ok ? state : null;
  const errors: FieldErrors = clientErrors ?? failed?.fieldErrors ?? {};
  const values = failed?.values ?? {};

  return (
    <>
      <Button
        onClick={() => {
          setClientErrors(null);
          setOpen(true);
        }}
      >
        <FilePlus2 aria-hidden />
        New custom CSR
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title="New custom CSR"
        description="Cloudflare generates the private key (it never leaves Cloudflare) and a CSR for your customer's CA."
        className="max-w-xl"
      >
        <form action={formAction} onSubmit={validate} noValidate className="flex flex-col gap-4">
          <div className="grid gap-4 sm:grid-cols-2">
            {TEXT_FIELDS.map((f) => {
              const id = `custom-csr-${f.name}`;
              return (
                <FormField key={f.name} id={id} label={f.label} errors={errors[f.name]} hint={f.hint}>
                  <Input id={id} name={f.name} placeholder={f.placeholder} autoComplete="off" defaultValue={values[f.name]} {...describedBy(id, errors[f.name], !!f.hint)} />
                </FormField>
              );
            })}
          </div>
          <FormField
            id="custom-csr-sans"
            label="Subject alternative names (SANs)"
            errors={errors.sans}
            hint="One hostname per line (at least one, each at most 255 characters). The common name is added if it is missing."
          >
            <textarea
              id="custom-csr-sans"
              name="sans"
              rows={3}
              placeholder={'shop.acme-corp.com\nwww.acme-corp.com'}
              defaultValue={values.sans}
              className={`${fieldClasses} py-2 font-mono`}
              {...describedBy('custom-csr-sans', errors.sans, true)}
            />
          </FormField>
          <FormField id="custom-csr-keyType" label="Key type" errors={errors.keyType} hint="RSA 2048 is Cloudflare's default; P-256 is smaller and faster.">
            <Select key={values.keyType ?? 'default'} id="custom-csr-keyType" name="keyType" defaultValue={values.keyType || 'rsa2048'} {...describedBy('custom-csr-keyType', errors.keyType, true)}>
              {CUSTOM_CSR_KEY_TYPES.map((k) => (
                <option key={k} value={k}>
                  {KEY_TYPE_LABELS[k]}
                </option>
              ))}
            </Select>
          </FormField>
          <FormMessage message={clientErrors ? 'Check the highlighted fields.' : failed?.message} />
          <div className="flex justify-end gap-2">
            <Button variant="outline" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? 'Asking Cloudflare…' : 'Create CSR'}
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
