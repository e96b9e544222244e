'use server';

import { CONDITIONS } from '@/lib/alerts/conditions';
import { createChannel, deleteChannel, sendTestMessage, updateChannel } from '@/lib/data/alert-channels';
import { createRule, deleteRule, updateRule } from '@/lib/data/alert-rules';
import { AppError } from '@/lib/errors';
import { action } from '@/lib/server/action';
import type { ActionState } from '@/lib/validation/action-state';
import { ChannelFormSchema, IdSchema, RuleFormSchema } from '@/lib/validation/alerts';

// Every action is a public POST endpoint: action() checks the permission first, whatever the page that
// renders its form has already checked.

export type AlertActionState = ActionState<string>;

/** A checkbox sends "on" when ticked and nothing otherwise. */
const ticked = (form: FormData, name: string) => (form.get(name) === 'on' ? 'true' : 'false');
const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};
const texts = (form: FormData, name: string) => form.getAll(name).filter((v): v is string => typeof v === 'string');

const RULE_FIELDS = ['name', 'condition', 'group', 'withinDays', 'renewalWindowDays', 'lookbackHours', 'pendingMinutes', 'refusals', 'states', 'kinds', 'channelIds', 'escalateAfterMinutes'] as const;
const CHANNEL_FIELDS = ['name', 'kind', 'host', 'port', 'security', 'username', 'password', 'from', 'to', 'format', 'url', 'signingSecret', 'digestHourUtc'] as const;

export const saveRuleAction = action(
  {
    permission: 'alerts:configure',
    schema: RuleFormSchema,
    fromForm: (form) => ({
      ...Object.fromEntries(['id', 'name', 'condition', 'group', 'withinDays', 'renewalWindowDays', 'lookbackHours', 'pendingMinutes', 'refusals', 'escalateAfterMinutes'].map((k) => [k, text(form, k)])),
      id: text(form, 'id') || undefined,
      states: texts(form, 'states'),
      kinds: texts(form, 'kinds'),
      channelIds: texts(form, 'channelIds'),
      enabled: ticked(form, 'enabled'),
      notifyOnResolve: ticked(form, 'notifyOnResolve'),
    }),
    fields: RULE_FIELDS,
    revalidate: [['/alerts', 'layout']],
  },
  async (input, { user }) => {
    const saved = input.id ? await updateRule(user, input.id, input) : await createRule(user, input);
    const evaluated = saved.evaluation
      ? ` Evaluated now: ${saved.evaluation.raised} alert${saved.evaluation.raised === 1 ? '' : 's'} raised${saved.evaluation.resolved ? `, ${saved.evaluation.resolved} resolved` : ''}.`
      : input.enabled
        ? ' It will be evaluated by the next evaluation job.'
        : ' It is disabled.';
    return { message: `Saved “${saved.name}” (${CONDITIONS[input.condition].label}).${evaluated}` };
  },
);

export const deleteRuleAction = action({ permission: 'alerts:configure', schema: IdSchema, revalidate: [['/alerts', 'layout']] }, async (input, { user }) => {
  const { name } = await deleteRule(user, input.id);
  return { message: `Deleted “${name}”; its alerts are resolved and kept.` };
});

export const saveChannelAction = action(
  {
    permission: 'alerts:configure',
    schema: ChannelFormSchema,
    fromForm: (form) => ({
      ...Object.fromEntries(CHANNEL_FIELDS.map((k) => [k, text(form, k)])),
      id: text(form, 'id') || undefined,
      enabled: ticked(form, 'enabled'),
      digest: ticked(form, 'digest'),
      clearPassword: ticked(form, 'clearPassword'),
    }),
    // Not echoed back (the form keeps what was typed): the URL and signing secret; passwords never are. The
    // union's input type names only the fields both kinds share, hence the cast.
    fields: CHANNEL_FIELDS.filter((f) => f !== 'url' && f !== 'signingSecret') as readonly string[] as readonly never[],
    revalidate: [['/alerts', 'layout']],
  },
  async (input, { user }) => {
    const saved = input.id ? await updateChannel(user, input.id, input) : await createChannel(user, input);
    return { message: `Saved channel “${saved.name}”.` };
  },
);

export const deleteChannelAction = action({ permission: 'alerts:configure', schema: IdSchema, revalidate: [['/alerts', 'layout']] }, async (input, { user }) => {
  const { name } = await deleteChannel(user, input.id);
  return { message: `Deleted channel “${name}”.` };
});

export const sendTestAction = action({ permission: 'alerts:configure', schema: IdSchema, revalidate: ['/alerts/channels'] }, async (input, { user }) => {
  const { outcome } = await sendTestMessage(user, input.id);
  if (outcome.outcome !== 'sent') {
    // Shown like any refusal, and kept in the channel's delivery log.
    throw new AppError('UNREACHABLE', `The test was not delivered${outcome.statusCode ? ` (${outcome.statusCode})` : ''}: ${outcome.error ?? outcome.outcome}.`);
  }
  return { message: `Test sent${outcome.statusCode ? ` (the server answered ${outcome.statusCode})` : ''}.` };
});
