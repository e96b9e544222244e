import Link from 'next/link';
import { RowActionButton } from '@/components/ui/action-buttons';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import { SimpleTable, type SimpleColumn } from '@/components/ui/simple-table';
import { TableCell, TableRow } from '@/components/ui/table';
import { type ApiTokenView, grantableRoles, listApiTokens } from '@/lib/auth/api-tokens';
import type { SessionUser } from '@/lib/auth/errors';
import { can } from '@/lib/auth/permissions';
import { revokeApiTokenAction } from './api-token-actions';
import { ApiTokenForm } from './api-token-form';

const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const when = (iso: string | null) => (iso ? `${dateTime.format(new Date(iso))} UTC` : '—');
const ACTIONS: SimpleColumn = { label: 'Actions', align: 'end', srOnly: true };

/** Settings → API tokens: make, list and revoke personal tokens; an ADMIN sees everyone's. */
export async function ApiTokens({ user }: { user: SessionUser }) {
  const everyone = can(user.role, 'users:manage');
  const tokens = await listApiTokens(user, { everyone });
  return (
    <Card className="max-w-4xl">
      <CardHeader>
        <h2 className="text-base font-semibold">API tokens</h2>
        <CardDescription>
          For scripts and the CLI: send <code className="font-mono">Authorization: Bearer cfat_…</code> to the <Link className="underline" href="/api-reference">REST API</Link>. A token acts as you, with the role you give it
          (never above yours), and everything it does is audited with its name.{everyone ? ' As an ADMIN you see and may revoke everyone’s.' : ''}
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <ApiTokenForm roles={grantableRoles(user.role)} />
        {tokens.length ? (
          <SimpleTable label="API tokens" columns={['Name', 'Token', ...(everyone ? ['Owner'] : []), 'Role', 'Expires', 'Last used', 'State', ACTIONS]}>
            {tokens.map((t: ApiTokenView) => (
              <TableRow key={t.id}>
                <TableCell>{t.name}</TableCell>
                <TableCell className="font-mono text-xs">{t.prefix}…</TableCell>
                {everyone ? <TableCell>{t.owner.email}</TableCell> : null}
                <TableCell>
                  {t.role}
                  {t.readOnly ? ' (read-only)' : ''}
                </TableCell>
                <TableCell>{when(t.expiresAt)}</TableCell>
                <TableCell>{when(t.lastUsedAt)}</TableCell>
                <TableCell>
                  <Badge tone={t.state === 'active' ? 'success' : 'neutral'}>{t.state}</Badge>
                </TableCell>
                <TableCell className="text-right">
                  {t.state === 'active' ? <RowActionButton action={revokeApiTokenAction} fields={{ id: t.id }} label="Revoke" name={`Revoke token ${t.name}`} /> : null}
                </TableCell>
              </TableRow>
            ))}
          </SimpleTable>
        ) : (
          <p className="text-sm text-muted-foreground">No tokens yet.</p>
        )}
      </CardContent>
    </Card>
  );
}
