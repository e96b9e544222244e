'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { addMtlsHostAction, removeMtlsHostAction, unwatchMtlsHostAction, type MtlsHostState } from '../actions';

/** Per-host buttons: remove the association, turn it back on, or stop watching a host without one. */
export function HostActions({ hostname, associated }: { hostname: string; associated: boolean }) {
  const [removed, remove, removing] = useActionState<MtlsHostState, FormData>(removeMtlsHostAction, null);
  const [added, add, adding] = useActionState<MtlsHostState, FormData>(addMtlsHostAction, null);
  const [unwatched, unwatch, unwatching] = useActionState<MtlsHostState, FormData>(unwatchMtlsHostAction, null);
  const failure = [removed, added, unwatched].find((s) => s && !s.ok);

  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex justify-end gap-2">
        {associated ? (
          <form action={remove}>
            <input type="hidden" name="hostname" value={hostname} />
            <Button type="submit" size="sm" variant="outline" disabled={removing} aria-label={`Remove mTLS from ${hostname}`}>
              {removing ? 'Removing…' : 'Remove'}
            </Button>
          </form>
        ) : (
          <>
            <form action={add}>
              <input type="hidden" name="hostname" value={hostname} />
              <Button type="submit" size="sm" variant="outline" disabled={adding} aria-label={`Turn mTLS on again for ${hostname}`}>
                {adding ? 'Turning on…' : 'Turn on again'}
              </Button>
            </form>
            <form action={unwatch}>
              <input type="hidden" name="hostname" value={hostname} />
              <Button type="submit" size="sm" variant="ghost" disabled={unwatching} aria-label={`Stop watching ${hostname}`}>
                {unwatching ? 'Stopping…' : 'Stop watching'}
              </Button>
            </form>
          </>
        )}
      </div>
      {failure && !failure.ok ? (
        <p role="alert" className="max-w-xs text-xs text-destructive">
          {failure.fieldErrors?.hostname?.join(' ') ?? failure.message}
        </p>
      ) : null}
    </div>
  );
}
