import type { Metadata } from 'next';
import Link from 'next/link';
import { AlertsNav } from '@/components/alerts/alerts-nav';
import { guardedPage } from '@/components/shell/guarded-page';
import { Badge } from '@/components/ui/badge';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { SimpleTable } from '@/components/ui/simple-table';
import { TableCell, TableRow } from '@/components/ui/table';
import { conditionForms, CONDITIONS, readParams } from '@/lib/alerts/conditions';
import { findChannelChoices } from '@/lib/data/alert-channels';
import { findRules } from '@/lib/data/alert-rules';
import { findAlertGroups } from '@/lib/data/alerts';
import { DeleteRuleButton } from './_components/delete-rule-button';
import { RuleDialog } from './_components/rule-dialog';

export const metadata: Metadata = { title: 'Alert rules' };

export default guardedPage('alerts:configure', async (user) => {
  const [rules, channels, groups] = await Promise.all([findRules(user), findChannelChoices(user), findAlertGroups(user)]);
  const conditions = conditionForms();
  const newRule = <RuleDialog conditions={conditions} channels={channels} groups={groups} />;

  return (
    <>
      <PageHeader title="Alerts" description="Rules: what to watch, for the whole fleet or one group, and which channels to tell." actions={newRule} />
      <AlertsNav role={user.role} current="/alerts/rules" />
      {rules.length === 0 ? (
        <EmptyState title="No alert rules yet" action={newRule}>
          Make a rule to be told when certificates near expiry, devices go quiet, revocations fail or Cloudflare locks certfleet out.
          {channels.length === 0 ? (
            <>
              {' '}
              First <Link href="/alerts/channels" className="text-primary hover:underline">add a channel</Link> (email or webhook).
            </>
          ) : null}
        </EmptyState>
      ) : (
        <SimpleTable label="Alert rules" columns={['Rule', 'Scope', 'Channels', 'Standing alerts', { label: 'Actions', srOnly: true }]} className="bg-card">
          {rules.map((rule) => (
            <TableRow key={rule.id} data-rule-id={rule.id}>
              <TableCell className="whitespace-normal">
                <div className="flex items-center gap-2">
                  <span className="font-medium">{rule.name}</span>
                  {rule.enabled ? null : <Badge>Disabled</Badge>}
                </div>
                <p className="text-xs text-muted-foreground">
                  {CONDITIONS[rule.condition].label}: alert when {rule.description}
                  {rule.escalateAfterMinutes ? `; escalate after ${rule.escalateAfterMinutes} min unacknowledged` : ''}
                </p>
              </TableCell>
              <TableCell>{rule.group ?? 'Whole fleet'}</TableCell>
              <TableCell className="whitespace-normal">
                {rule.channels.length ? rule.channels.map((c) => `${c.name}${c.enabled ? '' : ' (disabled)'}`).join(', ') : <span className="text-muted-foreground">none: alerts only show here</span>}
              </TableCell>
              <TableCell>
                <span className="tabular-nums">{rule.openAlerts}</span>
              </TableCell>
              <TableCell className="text-right">
                <div className="flex justify-end gap-2">
                  <RuleDialog rule={{ ...rule, params: readParams(rule.condition, rule.params) }} conditions={conditions} channels={channels} groups={groups} />
                  <DeleteRuleButton id={rule.id} name={rule.name} />
                </div>
              </TableCell>
            </TableRow>
          ))}
        </SimpleTable>
      )}
    </>
  );
});
