import type { Metadata } from 'next';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import { guardedPage } from '@/components/shell/guarded-page';
import { PageHeader } from '@/components/ui/page-header';
import { ApiTokens } from './_components/api-tokens';
import { ExpirySettings } from './_components/expiry-settings';
import { JobsStatus } from './_components/jobs-status';
import { Sessions } from './_components/sessions';
import { describeCloudflareTarget } from './cloudflare-target';

export const metadata: Metadata = { title: 'Settings' };

export default guardedPage('settings:view', async (user) => {
  const cloudflare = describeCloudflareTarget(process.env);

  return (
    <>
      <PageHeader title="Settings" description="How this certfleet is connected." />
      <Card className="max-w-2xl">
        <CardHeader>
          <div className="flex items-center gap-2">
            <h2 className="text-base font-semibold">Cloudflare</h2>
            {cloudflare.isLocal ? <Badge tone="warning">Local emulator</Badge> : <Badge tone="success">Cloudflare API</Badge>}
          </div>
          <CardDescription>
            {cloudflare.isLocal
              ? 'Certificates are issued by the local Cloudflare emulator that npm start runs. Set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ZONE_ID to use a real zone.'
              : 'Certificates are issued by Cloudflare’s managed CA for the zone below.'}
          </CardDescription>
        </CardHeader>
        <CardContent>
          <dl className="grid grid-cols-[10rem_1fr] gap-x-4 gap-y-2 text-sm">
            <dt className="text-muted-foreground">API host</dt>
            <dd className="font-mono break-all" data-testid="cloudflare-api-host">
              {cloudflare.apiHost}
            </dd>
            <dt className="text-muted-foreground">Zone ID</dt>
            <dd className="font-mono break-all">{cloudflare.zoneId ?? <span className="font-sans text-muted-foreground">not set</span>}</dd>
            <dt className="text-muted-foreground">API token</dt>
            <dd>{cloudflare.tokenSet ? 'set (never shown)' : <span className="text-muted-foreground">not set</span>}</dd>
          </dl>
        </CardContent>
      </Card>
      <div className="mt-4">
        <ExpirySettings user={user} />
      </div>
      <div className="mt-4">
        <JobsStatus user={user} />
      </div>
      <div className="mt-4" id="sessions">
        <Sessions user={user} />
      </div>
      <div className="mt-4" id="api-tokens">
        <ApiTokens user={user} />
      </div>
    </>
  );
});
