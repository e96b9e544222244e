'use client';

import { Check, Copy, PlugZap } from 'lucide-react';
import { useId, useMemo, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import { cn } from '@/components/ui/cn';
import { buildConnectSnippets, deviceFileNames } from './connect-snippets';
import type { ConnectInfo } from '@/lib/validation/enrollment';

/** "Connect your device": the same request in five clients, filled in for this device. */
export function ConnectPanel({ connect, deviceName, keyAlgorithm }: { connect: ConnectInfo; deviceName: string; keyAlgorithm: 'EC' | 'RSA' }) {
  const snippets = useMemo(() => buildConnectSnippets({ connect, deviceName, keyAlgorithm }), [connect, deviceName, keyAlgorithm]);
  const [active, setActive] = useState(snippets[0]!.id);
  const [copied, setCopied] = useState<string | null>(null);
  const baseId = useId();
  const files = deviceFileNames(deviceName);
  const current = snippets.find((s) => s.id === active) ?? snippets[0]!;

  async function copy() {
    await navigator.clipboard.writeText(current.code);
    setCopied(current.id);
    setTimeout(() => setCopied(null), 2000);
  }

  return (
    <Card aria-labelledby={`${baseId}-title`}>
      <CardHeader>
        <h2 id={`${baseId}-title`} className="flex items-center gap-2 text-base font-semibold">
          <PlugZap aria-hidden className="size-4" /> Connect your device
        </h2>
        <CardDescription>
          The device POSTs its readings to <code className="font-mono text-foreground">{connect.endpoint}</code> with{' '}
          <code className="font-mono">{files.cert}</code> and <code className="font-mono">{files.key}</code>
          {connect.serverCaFile ? (
            <>
              , trusting the local edge through <code className="font-mono">{connect.serverCaFile}</code>
            </>
          ) : null}
          .{' '}
          {connect.configured ? null : 'No device URL is configured (CERTFLEET_DEVICE_URL): replace the placeholder host.'}
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        <div role="tablist" aria-label="Client" className="flex flex-wrap gap-1 border-b border-border">
          {snippets.map((s) => (
            <button
              key={s.id}
              type="button"
              role="tab"
              id={`${baseId}-tab-${s.id}`}
              aria-selected={s.id === current.id}
              aria-controls={`${baseId}-panel`}
              onClick={() => setActive(s.id)}
              className={cn(
                '-mb-px cursor-pointer border-b-2 px-3 py-1.5 text-sm',
                s.id === current.id ? 'border-primary font-medium text-foreground' : 'border-transparent text-muted-foreground hover:text-foreground',
              )}
            >
              {s.label}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`${baseId}-panel`} aria-labelledby={`${baseId}-tab-${current.id}`} className="relative">
          <Button variant="outline" size="sm" className="absolute top-2 right-2" onClick={() => void copy()} aria-label={`Copy the ${current.label} snippet`}>
            {copied === current.id ? <Check aria-hidden /> : <Copy aria-hidden />}
            {copied === current.id ? 'Copied' : 'Copy'}
          </Button>
          <pre
            data-testid={`snippet-${current.id}`}
            className="max-h-[28rem] overflow-auto rounded-md border border-border bg-muted p-4 pr-24 font-mono text-xs leading-relaxed"
          >
            <code>{current.code}</code>
          </pre>
        </div>
      </CardContent>
    </Card>
  );
}
