import type { Metadata } from 'next';
import { AlertsNav } from '@/components/alerts/alerts-nav';
import { DeliveryStatusBadge, When } from '@/components/alerts/alert-badges';
import { guardedPage } from '@/components/shell/guarded-page';
import { RowActionButton } from '@/components/ui/action-buttons';
import { Badge } from '@/components/ui/badge';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { SimpleTable } from '@/components/ui/simple-table';
import { TableCell, TableRow } from '@/components/ui/table';
import { findChannels } from '@/lib/data/alert-channels';
import { sendTestAction } from '../actions';
import { ChannelDialog } from './_components/channel-dialog';
import { DeleteChannelButton } from './_components/delete-channel-button';

export const metadata: Metadata = { title: 'Alert channels' };

export default guardedPage('alerts:configure', async (user) => {
  const channels = await findChannels(user);
  const newChannel = <ChannelDialog />;

  return (
    <>
      <PageHeader
        title="Alerts"
        description="Channels: where alert messages go. Passwords, webhook URLs and signing secrets are stored sealed and never shown again."
        actions={newChannel}
      />
      <AlertsNav role={user.role} current="/alerts/channels" />
      {channels.length === 0 ? (
        <EmptyState title="No channels yet" action={newChannel}>
          An email channel sends through your SMTP server; a webhook channel posts signed JSON (or a Slack message) to a URL.
        </EmptyState>
      ) : (
        <SimpleTable label="Alert channels" columns={['Channel', 'Sends to', 'Rules', 'Last delivery', { label: 'Actions', srOnly: true }]} className="bg-card">
          {channels.map((c) => (
            <TableRow key={c.id} data-channel-id={c.id}>
              <TableCell>
                <div className="flex items-center gap-2">
                  <span className="font-medium">{c.name}</span>
                  <Badge tone="neutral">{c.kind === 'EMAIL' ? 'Email' : c.webhook?.format === 'slack' ? 'Slack webhook' : 'Webhook'}</Badge>
                  {c.enabled ? null : <Badge>Disabled</Badge>}
                  {c.digest ? <Badge tone="info">Daily digest {String(c.digestHourUtc).padStart(2, '0')}:00 UTC</Badge> : null}
                </div>
              </TableCell>
              <TableCell className="whitespace-normal text-sm">
                {c.email ? (
                  <>
                    {c.email.to.join(', ')}
                    <span className="block text-xs text-muted-foreground">
                      via {c.email.host}:{c.email.port} ({c.email.security}){c.email.username ? `, as ${c.email.username}` : ''}
                    </span>
                  </>
                ) : (
                  <>
                    <span className="font-mono text-xs">{c.webhook?.urlDisplay}</span>
                    <span className="block text-xs text-muted-foreground">signed (HMAC-SHA256){c.hasSecret ? '' : ': no URL stored'}</span>
                  </>
                )}
              </TableCell>
              <TableCell className="tabular-nums">{c.rules}</TableCell>
              <TableCell className="whitespace-normal">
                {c.lastDelivery ? (
                  <div className="flex flex-col items-start gap-0.5">
                    <DeliveryStatusBadge status={c.lastDelivery.status} />
                    <When at={c.lastDelivery.at} className="text-xs text-muted-foreground" />
                    {c.lastDelivery.error ? <span className="text-xs text-red-700 dark:text-red-300">{c.lastDelivery.error}</span> : null}
                  </div>
                ) : (
                  <span className="text-muted-foreground">none yet</span>
                )}
              </TableCell>
              <TableCell className="text-right">
                <div className="flex justify-end gap-2">
                  <RowActionButton
                    action={sendTestAction}
                    fields={{ id: c.id }}
                    label="Send a test"
                    pendingLabel="Sending…"
                    name={`Send a test to ${c.name}`}
                    status
                    className="flex flex-col items-end gap-1"
                  />
                  <ChannelDialog channel={c} />
                  <DeleteChannelButton id={c.id} name={c.name} rules={c.rules} />
                </div>
              </TableCell>
            </TableRow>
          ))}
        </SimpleTable>
      )}
    </>
  );
});
