'use client';

import { KeyRound } from 'lucide-react';
import { useActionState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { SubmitButton } from '@/components/ui/button';
import { CopyButton } from '@/components/ui/copy-button';
import { FieldError, Input, Label } from '@/components/ui/input';
import { Textarea } from '@/components/ui/textarea';
import { createTokensAction, type TokenFormState } from '../actions';

/** Makes tokens; their lifetime and use count come from each device's group policy unless an hour count is given. */
export function TokenForm() {
  const [state, formAction, pending] = useActionState<TokenFormState, FormData>(
    createTokensAction as (s: TokenFormState, f: FormData) => Promise<TokenFormState>,
    null,
  );
  const failed = state && !state.ok ? state : null;
  const created = state && state.ok && 'tokens' in state ? state : null;
  const csv = created ? ['device,token,expires,uses', ...created.tokens.map((t) => `${t.deviceName},${t.token},${t.expiresAt},${t.uses}`)].join('\n') : '';
  return (
    <div className="flex flex-col gap-4">
      <form action={formAction} noValidate aria-label="Make enrollment tokens" className="grid gap-3 md:grid-cols-3">
        <div className="flex flex-col gap-1 md:col-span-3">
          <Label htmlFor="est-devices">Devices (names, one per line or comma-separated)</Label>
          <Textarea id="est-devices" name="devices" rows={3} defaultValue={failed?.values?.devices} placeholder="sensor-001&#10;sensor-002" aria-describedby="est-devices-error" />
          <FieldError id="est-devices-error" errors={failed?.fieldErrors?.devices} />
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor="est-group">…or every device of a group still waiting for its first certificate</Label>
          <Input id="est-group" name="group" defaultValue={failed?.values?.group} placeholder="warehouse-3" aria-describedby="est-group-error" />
          <FieldError id="est-group-error" errors={failed?.fieldErrors?.group} />
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor="est-hours">Valid for (hours)</Label>
          <Input id="est-hours" name="validHours" type="number" min={1} max={720} defaultValue={failed?.values?.validHours ?? ''} placeholder="group policy" aria-describedby="est-hours-hint est-hours-error" />
          <p id="est-hours-hint" className="text-xs text-muted-foreground">
            Blank: the lifetime of each device&apos;s group policy. Uses per token always come from the policy.
          </p>
          <FieldError id="est-hours-error" errors={failed?.fieldErrors?.validHours} />
        </div>
        <div className="flex items-end">
          <SubmitButton pending={pending} icon={KeyRound} label="Make tokens" pendingLabel="Making tokens…" />
        </div>
      </form>
      <FormMessage ok={!!state?.ok} message={state?.message} />
      {created ? (
        <div className="flex flex-col gap-2" aria-label="New enrollment tokens">
          <div className="flex items-center gap-2">
            <CopyButton text={csv} label="Copy all as CSV" />
          </div>
          <table className="text-sm" aria-label="New tokens">
            <thead>
              <tr className="text-left">
                <th className="pr-4">Device</th>
                <th className="pr-4">Token (shown once)</th>
                <th className="pr-4">Expires (UTC)</th>
                <th>Uses</th>
              </tr>
            </thead>
            <tbody>
              {created.tokens.map((t) => (
                <tr key={t.token}>
                  <td className="pr-4">{t.deviceName}</td>
                  <td className="pr-4 font-mono break-all" data-testid="new-token">
                    {t.token}
                  </td>
                  <td className="pr-4">{t.expiresAt.slice(0, 16).replace('T', ' ')}</td>
                  <td>{t.uses}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
