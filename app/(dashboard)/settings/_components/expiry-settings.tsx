import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import type { SessionUser } from '@/lib/auth/errors';
import { can } from '@/lib/auth/permissions';
import { getExpirySettings } from '@/lib/data/expiry';
import { expiryBands } from '@/lib/expiry/bands';
import { ExpiryBandsForm } from './expiry-bands-form';

/** Settings → Expiry: the bands every certificate and device is flagged by; ADMIN can change them. */
export async function ExpirySettings({ user }: { user: SessionUser }) {
  const { thresholds, isDefault } = await getExpirySettings(user);
  return (
    <Card className="max-w-2xl" aria-labelledby="expiry-settings-heading">
      <CardHeader>
        <div className="flex items-center gap-2">
          <h2 id="expiry-settings-heading" className="text-base font-semibold">
            Expiry bands
          </h2>
          {isDefault ? <Badge>defaults</Badge> : null}
        </div>
        <CardDescription>
          Certificates and custom hostnames are counted on the Overview and filtered in the tables by these bands of days left.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <ul className="flex flex-wrap gap-1.5" aria-label="Current bands">
          {expiryBands(thresholds).map((band) => (
            <li key={band.key}>
              <Badge tone="info">{band.label}</Badge>
            </li>
          ))}
        </ul>
        {can(user.role, 'settings:edit') ? <ExpiryBandsForm thresholds={thresholds} /> : <p className="text-sm text-muted-foreground">Only an admin can change them.</p>}
      </CardContent>
    </Card>
  );
}
