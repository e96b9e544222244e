'use client';

import { Check, Copy, PlugZap } from 'lucide-react';
import Link from 'next/link';
import { type ReactNode, useId, useMemo, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import { cn } from '@/components/ui/cn';
import { CommandBlock } from '@/components/ui/command-block';
import { buildEstCommands } from '@/lib/est/connect-commands';
import { buildConnectSnippets, deviceFileNames } from './connect-snippets';
import type { ConnectInfo, IssuedCertificateInfo } from '@/lib/validation/enrollment';

/**
 * "Connect your device": the same request in five clients, filled in for this device, then the EST commands
 * (curl + openssl) with which the device fetches its CA chain, enrolls and renews by itself.
 */
export function ConnectPanel({
  connect,
  deviceName,
  certificate,
}: {
  connect: ConnectInfo;
  deviceName: string;
  certificate: Pick<IssuedCertificateInfo, 'commonName' | 'keyType' | 'keySize'>;
}) {
  const keyAlgorithm = certificate.keyType === 'RSA' ? 'RSA' : 'EC';
  const snippets = useMemo(() => buildConnectSnippets({ connect, deviceName, keyAlgorithm }), [connect, deviceName, keyAlgorithm]);
  const est = useMemo(
    () =>
      buildEstCommands({
        connect,
        deviceName,
        commonName: certificate.commonName,
        key: { type: keyAlgorithm, size: certificate.keySize },
        files: deviceFileNames(deviceName),
      }),
    [connect, deviceName, certificate.commonName, certificate.keySize, keyAlgorithm],
  );
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
            tabIndex={0}
            aria-label={`${current.label} snippet`}
            className="max-h-[28rem] overflow-auto rounded-md border border-border bg-muted p-4 pr-24 font-mono text-xs leading-relaxed"
          >
            <code>{current.code}</code>
          </pre>
        </div>
        <section aria-labelledby={`${baseId}-est`} className="flex flex-col gap-3 border-t border-border pt-4" data-testid="est-commands">
          <div className="flex flex-col gap-1">
            <h3 id={`${baseId}-est`} className="text-sm font-semibold">
              Enroll and renew by itself (EST)
            </h3>
            <p className="text-sm text-muted-foreground">
              With only curl and openssl, at <code className="font-mono text-foreground">{est.origin}/.well-known/est/</code> (RFC 7030, see
              docs/est.md). Each loop repeats the same request while the answer is <code className="font-mono">202</code>, waiting as long as{' '}
              <code className="font-mono">Retry-After</code> says, until certfleet has issued; run a step again after an interruption and it
              continues where it stopped.
            </p>
          </div>
          <EstStep title="1. Fetch the CA chain" commands={est.cacerts} label="the CA chain commands">
            With the bootstrap certificate every app bundle carries (<code className="font-mono">{est.bootstrap.cert}</code>,{' '}
            <code className="font-mono">{est.bootstrap.key}</code>), into <code className="font-mono">{files.chain}</code>.
          </EstStep>
          <EstStep title="2. First enrollment" commands={est.enroll} label="the enrollment commands">
            A new key and a CSR for <code className="font-mono">CN={certificate.commonName}</code>, sent with the bootstrap certificate and a one-time
            token as HTTP Basic <code className="font-mono">{deviceName}:&lt;token&gt;</code>. Set{' '}
            <code className="font-mono">{est.tokenVariable}</code> to a token made on{' '}
            <Link href="/est" className="underline underline-offset-2">
              EST enrollment
            </Link>{' '}
            first. The answer becomes <code className="font-mono">{files.cert}</code> and <code className="font-mono">{files.key}</code>.
          </EstStep>
          <EstStep title="3. Renewal" commands={est.renew} label="the renewal commands">
            A new key and a CSR with the same subject as <code className="font-mono">{files.cert}</code> (RFC 7030 §4.2.2), sent with the current
            certificate; the new certificate and key replace the old ones once certfleet has issued.
          </EstStep>
        </section>
      </CardContent>
    </Card>
  );
}

function EstStep({ title, commands, label, children }: { title: string; commands: string[]; label: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1.5">
      <h4 className="text-sm font-medium">{title}</h4>
      <p className="text-sm text-muted-foreground">{children}</p>
      <CommandBlock commands={commands} label={label} />
    </div>
  );
}
