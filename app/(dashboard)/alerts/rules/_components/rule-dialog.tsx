'use client';

import { useId, useState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { DialogFormActions, FreshFormDialog } from '@/components/ui/form-dialog';
import { namedFields } from '@/components/ui/form-field';
import { useKeptValuesForm } from '@/components/ui/use-kept-values-form';
import { Input, Label } from '@/components/ui/input';
import { Select, SelectOptions } from '@/components/ui/select';
import { ALERT_CONDITIONS, CONDITION_LABELS, FLAG_ALERT_KINDS, FLAG_KIND_WORDS, HEALTH_ALERT_STATES } from '@/lib/alerts/condition-labels';
import type { ConditionForm } from '@/lib/alerts/conditions';
import type { RuleRow } from '@/lib/data/alert-rules';
import type { AlertCondition, ChannelKind } from '@/lib/generated/prisma/enums';
import { saveRuleAction } from '../../actions';

type Choice = { id: string; name: string; kind: ChannelKind; enabled: boolean };

interface RuleDialogProps {
  /** The rule to edit, with its parameters as readParams() reads them; none to create one. */
  rule?: RuleRow & { params: Record<string, unknown> };
  /** conditionForms(), read on the server. */
  conditions: Record<AlertCondition, ConditionForm>;
  channels: Choice[];
  groups: string[];
}

/** Create (no `rule`) or edit a rule. The condition's own fields follow the chosen condition. */
export function RuleDialog(props: RuleDialogProps) {
  const { rule } = props;
  return (
    <FreshFormDialog editing={!!rule} label={rule ? 'Edit' : 'New rule'} ariaLabel={rule ? `Edit rule ${rule.name}` : undefined} title={rule ? 'Edit rule' : 'New alert rule'}>
      {(close) => <RuleForm {...props} onDone={close} />}
    </FreshFormDialog>
  );
}

function RuleForm({ rule, conditions, channels, groups, onDone }: RuleDialogProps & { onDone: () => void }) {
  const { state, pending, values, errors, onSubmit } = useKeptValuesForm<string>(saveRuleAction);
  const [condition, setCondition] = useState<AlertCondition>((values?.condition as AlertCondition) ?? rule?.condition ?? 'CERT_EXPIRING');
  const [group, setGroup] = useState(values?.group ?? rule?.group ?? '');
  const info = conditions[condition];
  const params = rule && rule.condition === condition ? rule.params : info.defaults;
  const id = useId();
  const { field, error, row } = namedFields(id, errors);
  const chosenChannels = new Set(rule?.channels.map((c) => c.id) ?? []);

  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
      {rule ? <input type="hidden" name="id" value={rule.id} /> : null}
      {row('name', 'Name', <Input {...field('name')} defaultValue={values?.name ?? rule?.name ?? ''} maxLength={100} placeholder="e.g. Expiring certificates (cold storage)" />)}
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={`${id}-condition`}>Condition</Label>
        {rule ? <input type="hidden" name="condition" value={condition} /> : null}
        <Select {...field('condition')} name={rule ? undefined : 'condition'} value={condition} disabled={!!rule} onChange={(e) => setCondition(e.target.value as AlertCondition)}>
          <SelectOptions values={ALERT_CONDITIONS} label={(c) => CONDITION_LABELS[c]} />
        </Select>
        <p className="text-xs text-muted-foreground">
          {info.kind === 'event' ? 'An event: told once, nothing to acknowledge.' : 'A condition: the alert stays until it clears, then resolves itself.'}
          {rule ? ' A rule keeps its condition.' : ''}
        </p>
        {error('condition')}
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={`${id}-group`}>Devices</Label>
        <Select {...field('group')} value={info.groupScoped ? group : ''} onChange={(e) => setGroup(e.target.value)} disabled={!info.groupScoped}>
          <option value="">Whole fleet</option>
          {info.groupScoped
            ? groups.map((g) => (
                <option key={g} value={g}>
                  Group: {g}
                </option>
              ))
            : null}
        </Select>
        {info.groupScoped ? null : <p className="text-xs text-muted-foreground">This condition is about the whole fleet.</p>}
        {error('group')}
      </div>

      {condition === 'CERT_EXPIRING' ? (
        <div className="grid gap-3 sm:grid-cols-2">
          {row('withinDays', 'Days left or fewer', <Input {...field('withinDays')} type="number" min={1} max={3650} defaultValue={values?.withinDays ?? String(params.withinDays)} />)}
          {row(
            'renewalWindowDays',
            'Renewal window (days)',
            <Input {...field('renewalWindowDays')} type="number" min={1} max={365} defaultValue={values?.renewalWindowDays ?? String(params.renewalWindowDays)} />,
          )}
          <p className="text-xs text-muted-foreground sm:col-span-2">
            Escalates (“needs a person”) when the certificate’s device has not reported for longer than its renewal window, or for longer than the certificate has left.
          </p>
        </div>
      ) : null}
      {condition === 'DEVICE_UNHEALTHY' ? (
        <fieldset className="flex flex-col gap-1.5">
          <legend className="text-sm font-medium">Health states</legend>
          <div className="flex gap-4">
            {HEALTH_ALERT_STATES.map((s) => (
              <label key={s} className="flex items-center gap-1.5 text-sm">
                <input type="checkbox" name="states" value={s} defaultChecked={(params.states as string[]).includes(s)} /> {s}
              </label>
            ))}
          </div>
          {error('states')}
        </fieldset>
      ) : null}
      {condition === 'READINGS_FLAGGED' ? (
        <>
          <fieldset className="flex flex-col gap-1.5">
            <legend className="text-sm font-medium">Readings from</legend>
            {FLAG_ALERT_KINDS.map((k) => (
              <label key={k} className="flex items-center gap-1.5 text-sm">
                <input type="checkbox" name="kinds" value={k} defaultChecked={(params.kinds as string[]).includes(k)} /> {FLAG_KIND_WORDS[k]}
              </label>
            ))}
            {error('kinds')}
          </fieldset>
          {row('lookbackHours', 'Look back (hours)', <Input {...field('lookbackHours')} type="number" min={1} max={168} defaultValue={values?.lookbackHours ?? String(params.lookbackHours)} />)}
        </>
      ) : null}
      {condition === 'REVOCATION_FAILED' ? (
        row(
          'pendingMinutes',
          'Pending for longer than (minutes)',
          <Input {...field('pendingMinutes')} type="number" min={1} max={10080} defaultValue={values?.pendingMinutes ?? String(params.pendingMinutes)} />,
        )
      ) : null}
      {condition === 'EST_REFUSED' ? (
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-refusals`}>Which refusals</Label>
          <Select {...field('refusals')} defaultValue={values?.refusals ?? String(params.refusals)}>
            <option value="policy">Requests outside the group&apos;s EST policy (key, renewal window, rate)</option>
            <option value="all">Every refused request (also unknown tokens, revoked certificates, bad CSRs)</option>
          </Select>
          {error('refusals')}
        </div>
      ) : null}

      <fieldset className="flex flex-col gap-1.5">
        <legend className="text-sm font-medium">Tell these channels</legend>
        {channels.length === 0 ? <p className="text-sm text-muted-foreground">No channels yet: alerts will only show in certfleet.</p> : null}
        {channels.map((c) => (
          <label key={c.id} className="flex items-center gap-1.5 text-sm">
            <input type="checkbox" name="channelIds" value={c.id} defaultChecked={chosenChannels.has(c.id)} />
            {c.name} <span className="text-muted-foreground">({c.kind === 'EMAIL' ? 'email' : 'webhook'}{c.enabled ? '' : ', disabled'})</span>
          </label>
        ))}
        {error('channelIds')}
      </fieldset>
      {info.kind === 'condition' ? (
        row(
          'escalateAfterMinutes',
          'Escalate if nobody acknowledges within (minutes, optional)',
          <Input {...field('escalateAfterMinutes')} type="number" min={1} max={10080} defaultValue={values?.escalateAfterMinutes ?? (rule?.escalateAfterMinutes ? String(rule.escalateAfterMinutes) : '')} />,
        )
      ) : null}
      <div className="flex flex-wrap gap-4">
        <label className="flex items-center gap-1.5 text-sm">
          <input type="checkbox" name="notifyOnResolve" defaultChecked={rule?.notifyOnResolve ?? true} /> Tell when resolved
        </label>
        <label className="flex items-center gap-1.5 text-sm">
          <input type="checkbox" name="enabled" defaultChecked={rule?.enabled ?? true} /> Enabled
        </label>
      </div>
      <FormMessage ok={state?.ok} message={state?.message} />
      <DialogFormActions onCancel={onDone} pending={pending} label="Save rule" pendingLabel="Saving…" done={!!state?.ok} />
    </form>
  );
}
