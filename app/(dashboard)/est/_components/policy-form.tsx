'use client';

import { ShieldCheck } from 'lucide-react';
import { useActionState, useId, useState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { SubmitButton } from '@/components/ui/button';
import { FieldError, Input, Label } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import type { EstPolicyValues } from '@/lib/validation/est-policy';
import { KEY_TYPES, RSA_SIZES } from '@/lib/validation/est-policy-constants';
import { type PolicyFormState, saveEstPolicyAction } from '../actions';

/** ADMIN: one group's EST policy; choosing another group shows its values. */
export function PolicyForm({ groups, initialGroup }: { groups: { group: string; policy: EstPolicyValues }[]; initialGroup?: string }) {
  const [state, formAction, pending] = useActionState<PolicyFormState, FormData>(saveEstPolicyAction, null);
  const [group, setGroup] = useState(initialGroup ?? groups[0]?.group ?? '');
  const id = useId();
  const failed = state && !state.ok ? state : null;
  const errors = failed?.fieldErrors ?? {};
  const echoed = failed?.values?.group === group ? failed.values : undefined;
  const policy = groups.find((g) => g.group === group)?.policy;
  if (!policy) return <p className="text-sm text-muted-foreground">No device group yet.</p>;
  const text = (name: keyof EstPolicyValues, value: number | null) => echoed?.[name] ?? (value === null ? '' : String(value));
  const field = (name: string) => ({
    id: `${id}-${name}`,
    name,
    'aria-invalid': !!errors[name as keyof typeof errors] || undefined,
    'aria-describedby': `${id}-${name}-error`,
  });
  const error = (name: string) => <FieldError id={`${id}-${name}-error`} errors={errors[name as keyof typeof errors]} />;

  return (
    <div className="flex flex-col gap-3">
      <form action={formAction} noValidate aria-label="EST policy" key={`${group}:${failed ? JSON.stringify(failed.values) : ''}`} className="grid gap-3 md:grid-cols-3">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-group`}>Group</Label>
          <Select {...field('group')} value={group} onChange={(e) => setGroup(e.target.value)}>
            {groups.map((g) => (
              <option key={g.group} value={g.group}>
                {g.group}
              </option>
            ))}
          </Select>
          {error('group')}
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-windowMode`}>Renewal window</Label>
          <Select {...field('windowMode')} defaultValue={echoed?.windowMode ?? policy.windowMode}>
            <option value="PERCENT">Last part of the lifetime (%)</option>
            <option value="DAYS">Days before expiry</option>
          </Select>
          {error('windowMode')}
        </div>
        <div className="grid grid-cols-2 gap-3">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-windowPercent`}>Window (% of lifetime)</Label>
            <Input {...field('windowPercent')} inputMode="numeric" defaultValue={text('windowPercent', policy.windowPercent)} />
            {error('windowPercent')}
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-windowDays`}>Window (days before expiry)</Label>
            <Input {...field('windowDays')} inputMode="numeric" defaultValue={text('windowDays', policy.windowDays)} />
            {error('windowDays')}
          </div>
        </div>
        <fieldset className="flex flex-col gap-1.5" aria-describedby={`${id}-keyTypes-error`}>
          <legend className="text-sm font-medium">Accepted keys</legend>
          <div className="flex flex-wrap gap-3 text-sm">
            {KEY_TYPES.map((k) => (
              <label key={k} className="flex items-center gap-1.5">
                <input type="checkbox" name="keyTypes" value={k} defaultChecked={policy.keyTypes.includes(k)} /> {k === 'RSA' ? 'RSA' : `EC ${k}`}
              </label>
            ))}
          </div>
          {error('keyTypes')}
        </fieldset>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-minRsaBits`}>Smallest RSA key (bits)</Label>
          <Select {...field('minRsaBits')} defaultValue={echoed?.minRsaBits ?? String(policy.minRsaBits)}>
            {RSA_SIZES.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </Select>
          {error('minRsaBits')}
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-validityDays`}>Validity of issued certificates (days; blank: 3650, renewals keep theirs)</Label>
          <Input {...field('validityDays')} inputMode="numeric" defaultValue={text('validityDays', policy.validityDays)} />
          {error('validityDays')}
        </div>
        <div className="grid grid-cols-2 gap-3">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-tokenHours`}>Token lifetime (hours)</Label>
            <Input {...field('tokenHours')} inputMode="numeric" defaultValue={text('tokenHours', policy.tokenHours)} />
            {error('tokenHours')}
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-tokenUses`}>Uses per token</Label>
            <Input {...field('tokenUses')} inputMode="numeric" defaultValue={text('tokenUses', policy.tokenUses)} />
            {error('tokenUses')}
          </div>
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-maxRequestsPerDay`}>Requests per device per day (blank: no limit)</Label>
          <Input {...field('maxRequestsPerDay')} inputMode="numeric" defaultValue={text('maxRequestsPerDay', policy.maxRequestsPerDay)} />
          {error('maxRequestsPerDay')}
        </div>
        <div className="flex flex-col justify-end gap-3">
          <label className="flex items-center gap-1.5 text-sm">
            <input type="checkbox" name="refuseEarlyRenewal" value="true" defaultChecked={policy.refuseEarlyRenewal} /> Refuse renewals before the window opens
          </label>
          <div>
            <SubmitButton pending={pending} icon={ShieldCheck} label="Save policy" pendingLabel="Saving…" />
          </div>
        </div>
      </form>
      <FormMessage ok={!!state?.ok} message={state?.message} />
    </div>
  );
}
