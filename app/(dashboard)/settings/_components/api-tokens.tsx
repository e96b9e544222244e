import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { type ApiTokenView, grantableRoles, listApiTokens } from '@/lib/auth/api-tokens';
import type { SessionUser } from '@/lib/auth/errors';
import { can } from '@/lib/auth/permissions';
import { ApiTokenForm, RevokeTokenButton } from './api-token-form';

const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const when = (iso: string | null) => (iso ? `${dateTime.format(new Date(iso))} UTC` : '—');

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
          <div className="overflow-x-auto">
            <Table aria-label="API tokens">
              <TableHeader>
                <TableRow>
                  <TableHead>Name</TableHead>
                  <TableHead>Token</TableHead>
                  {everyone ? <TableHead>Owner</TableHead> : null}
                  <TableHead>Role</TableHead>
                  <TableHead>Expires</TableHead>
                  <TableHead>Last used</TableHead>
                  <TableHead>State</TableHead>
                  <TableHead align="end">
                    <span className="sr-only">Actions</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
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
                    <TableCell className="text-right">{t.state === 'active' ? <RevokeTokenButton id={t.id} name={t.name} /> : null}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        ) : (
          <p className="text-sm text-muted-foreground">No tokens yet.</p>
        )}
      </CardContent>
    </Card>
  );
}
