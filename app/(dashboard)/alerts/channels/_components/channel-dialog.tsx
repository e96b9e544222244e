'use client';

import { useId, useState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { DialogFormActions, FreshFormDialog } from '@/components/ui/form-dialog';
import { namedFields } from '@/components/ui/form-field';
import { useKeptValuesForm } from '@/components/ui/use-kept-values-form';
import { Input, Label } from '@/components/ui/input';
import { Select, SelectOptions } from '@/components/ui/select';
import { SMTP_SECURITY, WEBHOOK_FORMATS } from '@/lib/alerts/channel-config';
import { generateSigningSecret } from '@/lib/alerts/webhook-signature-format';
import type { ChannelRow } from '@/lib/data/alert-channels';
import { saveChannelAction } from '../../actions';

const SECURITY_WORDS = { starttls: 'STARTTLS (587)', tls: 'TLS from the start (465)', none: 'None (local relay only)' } as const;
const FORMAT_WORDS = { standard: 'certfleet JSON (Standard Webhooks)', slack: 'Slack incoming webhook' } as const;

/** Create (no `channel`) or edit a channel. Secret fields start empty: blank keeps what is stored. */
export function ChannelDialog({ channel }: { channel?: ChannelRow }) {
  return (
    <FreshFormDialog editing={!!channel} label={channel ? 'Edit' : 'New channel'} ariaLabel={channel ? `Edit channel ${channel.name}` : undefined} title={channel ? 'Edit channel' : 'New channel'}>
      {(close) => <ChannelForm channel={channel} onDone={close} />}
    </FreshFormDialog>
  );
}

function ChannelForm({ channel, onDone }: { channel?: ChannelRow; onDone: () => void }) {
  const { state, pending, values, errors, onSubmit } = useKeptValuesForm<string>(saveChannelAction);
  const [kind, setKind] = useState<'EMAIL' | 'WEBHOOK'>((values?.kind as 'EMAIL' | 'WEBHOOK') ?? channel?.kind ?? 'EMAIL');
  const [signingSecret, setSigningSecret] = useState('');
  // Selects are controlled: a form reset after a failed save must not put back their first value.
  const [security, setSecurity] = useState(values?.security ?? channel?.email?.security ?? 'starttls');
  const [format, setFormat] = useState(values?.format ?? channel?.webhook?.format ?? 'standard');
  const id = useId();
  const { field, error, row } = namedFields(id, errors);
  const email = channel?.email;
  const editing = !!channel;

  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-4" noValidate autoComplete="off">
      {channel ? <input type="hidden" name="id" value={channel.id} /> : null}
      {editing ? <input type="hidden" name="kind" value={kind} /> : null}
      <div className="grid gap-3 sm:grid-cols-2">
        {row('name', 'Name', <Input {...field('name')} defaultValue={values?.name ?? channel?.name ?? ''} maxLength={100} placeholder="e.g. On-call email" />)}
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-kind`}>Kind</Label>
          <Select {...field('kind')} name={editing ? undefined : 'kind'} value={kind} disabled={editing} onChange={(e) => setKind(e.target.value as 'EMAIL' | 'WEBHOOK')}>
            <option value="EMAIL">Email (SMTP)</option>
            <option value="WEBHOOK">Webhook</option>
          </Select>
        </div>
      </div>

      {kind === 'EMAIL' ? (
        <>
          <div className="grid gap-3 sm:grid-cols-[1fr_7rem]">
            {row('host', 'SMTP server', <Input {...field('host')} defaultValue={values?.host ?? email?.host ?? ''} placeholder="smtp.example.com" />)}
            {row('port', 'Port', <Input {...field('port')} type="number" min={1} max={65535} defaultValue={values?.port ?? String(email?.port ?? 587)} />)}
          </div>
          {row('security', 'Connection security', <Select {...field('security')} value={security} onChange={(e) => setSecurity(e.target.value)}><SelectOptions values={SMTP_SECURITY} label={(s) => SECURITY_WORDS[s]} /></Select>)}
          <div className="grid gap-3 sm:grid-cols-2">
            {row('username', 'User name (optional)', <Input {...field('username')} defaultValue={values?.username ?? email?.username ?? ''} autoComplete="off" />)}
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-password`}>Password{editing && channel?.hasSecret ? ' (blank keeps the stored one)' : ''}</Label>
              <Input {...field('password')} type="password" autoComplete="new-password" />
              {error('password')}
              {editing && channel?.hasSecret ? (
                <label className="flex items-center gap-1.5 text-xs text-muted-foreground">
                  <input type="checkbox" name="clearPassword" /> Remove the stored password
                </label>
              ) : null}
            </div>
          </div>
          {row('from', 'From', <Input {...field('from')} type="email" defaultValue={values?.from ?? email?.from ?? ''} placeholder="certfleet@example.com" />)}
          {row('to', 'To (one or more, separated by commas)', <Input {...field('to')} defaultValue={values?.to ?? email?.to.join(', ') ?? ''} placeholder="oncall@example.com" />)}
        </>
      ) : (
        <>
          {row('url', `URL${editing ? ` (now ${channel?.webhook?.urlDisplay}; blank keeps it)` : ''}`, <Input {...field('url')} type="url" placeholder="https://hooks.example.com/certfleet" autoComplete="off" />)}
          {row('format', 'Payload', <Select {...field('format')} value={format} onChange={(e) => setFormat(e.target.value)}><SelectOptions values={WEBHOOK_FORMATS} label={(f) => FORMAT_WORDS[f]} /></Select>)}
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-signingSecret`}>Signing secret{editing ? ' (blank keeps the stored one)' : ''}</Label>
            <div className="flex gap-2">
              <Input {...field('signingSecret')} value={signingSecret} onChange={(e) => setSigningSecret(e.target.value)} className="font-mono text-xs" autoComplete="off" spellCheck={false} />
              <Button variant="outline" onClick={() => setSigningSecret(generateSigningSecret())}>
                Generate
              </Button>
            </div>
            <p className="text-xs text-muted-foreground">
              Made in your browser. Copy it to the receiver now: certfleet stores it sealed and never shows it again. Receivers check the
              <code className="mx-1">webhook-signature</code>header (HMAC-SHA256 of id, timestamp and body) and refuse timestamps older than 5 minutes.
            </p>
            {error('signingSecret')}
          </div>
        </>
      )}

      <div className="flex flex-wrap items-center gap-4">
        <label className="flex items-center gap-1.5 text-sm">
          <input type="checkbox" name="enabled" defaultChecked={channel?.enabled ?? true} /> Enabled
        </label>
        <label className="flex items-center gap-1.5 text-sm">
          <input type="checkbox" name="digest" defaultChecked={channel?.digest ?? false} /> Daily digest instead of each alert, at
        </label>
        <Select name="digestHourUtc" defaultValue={String(channel?.digestHourUtc ?? 8)} aria-label="Digest hour (UTC)" className="w-28">
          {Array.from({ length: 24 }, (_, h) => (
            <option key={h} value={h}>
              {String(h).padStart(2, '0')}:00 UTC
            </option>
          ))}
        </Select>
      </div>
      <FormMessage ok={state?.ok} message={state?.message} />
      <DialogFormActions onCancel={onDone} pending={pending} label="Save channel" pendingLabel="Saving…" done={!!state?.ok} />
    </form>
  );
}
