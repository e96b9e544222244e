'use client';

import { CircleAlert, CircleCheck, CircleMinus, CircleX, Download, Stethoscope } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { saveFile } from '@/components/enrollment/download';
import { FormMessage } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button, SubmitButton } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { cn } from '@/components/ui/cn';
import { Input, Label } from '@/components/ui/input';
import { PemTextarea } from '@/components/ui/textarea';
import { buildChecklist } from '@/lib/doctor/checklist';
import { CONVERSION_COMMANDS, derBytes, pemBytes, pkcs12Bytes } from '@/lib/doctor/conversions';
import type { ReadResult } from '@/lib/doctor/read-input';
import type { ChecklistLine, DoctorKnowledge, Verdict } from '@/lib/doctor/types';
import { CommandBlock } from '@/components/ui/command-block';
import type { ErrorBody } from '@/lib/errors';

const VERDICT: Record<Verdict, { word: string; tone: 'success' | 'warning' | 'danger' | 'neutral'; icon: typeof CircleCheck; className: string }> = {
  pass: { word: 'OK', tone: 'success', icon: CircleCheck, className: 'text-emerald-600' },
  warn: { word: 'Check', tone: 'warning', icon: CircleAlert, className: 'text-amber-600' },
  fail: { word: 'Problem', tone: 'danger', icon: CircleX, className: 'text-destructive' },
  skip: { word: 'Not checked', tone: 'neutral', icon: CircleMinus, className: 'text-muted-foreground' },
};

/**
 * The doctor: reads the input in the browser (lib/doctor/read-input), sends only the public
 * certificate to `POST /api/doctor`, and shows the checklist (lib/doctor/checklist).
 */
export function CertificateDoctor() {
  const [text, setText] = useState('');
  const [file, setFile] = useState<{ name: string; bytes: Uint8Array } | null>(null);
  const [password, setPassword] = useState('');
  const [keyPem, setKeyPem] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [result, setResult] = useState<{ read: ReadResult; lines: ChecklistLine[] } | null>(null);

  async function diagnose(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setNotice(null);
    try {
      // The X.509 / PKCS#12 readers are loaded on the first diagnosis, not with the page.
      const { readDoctorInput } = await import('@/lib/doctor/read-input');
      const read = await readDoctorInput({ text, file: file ?? undefined, password, keyPem });
      let knowledge: DoctorKnowledge | null = null;
      if (read.certificatePem) {
        // Only the public certificate leaves the browser.
        const response = await fetch('/api/doctor', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ certificate: read.certificatePem }),
        });
        const body = (await response.json().catch(() => ({}))) as DoctorKnowledge & Partial<ErrorBody>;
        if (response.ok) knowledge = body;
        else setNotice(`certfleet could not look this certificate up: ${body.error?.message ?? `HTTP ${response.status}`}. The lines below use what this browser could read.`);
      }
      setResult({ read, lines: buildChecklist(read.facts, knowledge) });
    } finally {
      setBusy(false);
    }
  }

  const failing = result?.lines.filter((l) => l.verdict === 'fail').length ?? 0;

  return (
    <div className="flex flex-col gap-4">
      <Card>
        <CardContent className="pt-5">
          <form onSubmit={diagnose} aria-label="What the device has" className="grid gap-4 lg:grid-cols-2">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="doctor-certificate">Certificate (PEM)</Label>
              <PemTextarea pemLabel="CERTIFICATE" id="doctor-certificate" rows={9} value={text} onChange={(e) => setText(e.target.value)} disabled={!!file} />
              <div className="flex flex-wrap items-center gap-2 text-sm">
                <Label htmlFor="doctor-file" className="font-normal text-muted-foreground">
                  Or a file (.pem, .crt, .cer, .der, .p12, .pfx)
                </Label>
                <input
                  id="doctor-file"
                  type="file"
                  accept=".pem,.crt,.cer,.der,.p12,.pfx,.txt"
                  className="text-sm"
                  onChange={async (e) => {
                    const f = e.target.files?.[0];
                    setFile(f ? { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) } : null);
                  }}
                />
                {file ? (
                  <Button variant="ghost" size="sm" onClick={() => setFile(null)}>
                    Use the text instead
                  </Button>
                ) : null}
              </div>
              <Label htmlFor="doctor-password" className="mt-2">
                PKCS#12 password
              </Label>
              <Input id="doctor-password" type="password" autoComplete="off" value={password} onChange={(e) => setPassword(e.target.value)} />
              <p className="text-xs text-muted-foreground">Only for a .p12/.pfx file; the bundle is opened in this browser.</p>
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="doctor-key">Private key (optional)</Label>
              <PemTextarea pemLabel="PRIVATE KEY" id="doctor-key" rows={9} value={keyPem} onChange={(e) => setKeyPem(e.target.value)} aria-describedby="doctor-key-hint" />
              <p id="doctor-key-hint" className="text-xs text-muted-foreground">
                Checked against the certificate in this browser only. It is never sent to certfleet or anywhere else.
              </p>
              <div className="mt-auto flex justify-end pt-2">
                <SubmitButton pending={busy} icon={Stethoscope} label="Diagnose" pendingLabel="Diagnosing…" />
              </div>
            </div>
          </form>
        </CardContent>
      </Card>

      <FormMessage message={notice ?? undefined} />

      {result ? (
        <Card>
          <CardHeader>
            <CardTitle className="text-base font-semibold text-foreground">Checklist</CardTitle>
            <CardDescription aria-live="polite">
              {failing ? `${failing} problem${failing === 1 ? '' : 's'} found.` : 'No problem found.'}
              {result.read.facts.read.ok ? ` Certificate SHA-256 ${result.read.facts.read.certificate.fingerprintSha256}.` : ''}
            </CardDescription>
          </CardHeader>
          <CardContent>
            <ol aria-label="Checklist" className="flex flex-col divide-y divide-border">
              {result.lines.map((line) => (
                <ChecklistItem key={line.id} line={line} />
              ))}
            </ol>
          </CardContent>
        </Card>
      ) : null}

      {result?.read.certificatePem ? <Conversions read={result.read} /> : null}
    </div>
  );
}

function ChecklistItem({ line }: { line: ChecklistLine }) {
  const v = VERDICT[line.verdict];
  const Icon = v.icon;
  return (
    <li data-line={line.id} data-verdict={line.verdict} className="flex gap-3 py-3">
      <Icon aria-hidden className={cn('mt-0.5 size-5 shrink-0', v.className)} />
      <div className="flex min-w-0 flex-col gap-1">
        <p className="flex flex-wrap items-center gap-2">
          <span className="font-medium">{line.label}</span>
          <Badge tone={v.tone}>{v.word}</Badge>
        </p>
        <p className="text-sm">{line.summary}</p>
        {line.next ? <p className="text-sm text-muted-foreground">Next: {line.next}</p> : null}
        {line.commands?.length ? (
          <CommandBlock commands={line.commands} label="openssl commands" />
        ) : null}
        {line.offer?.length ? (
          <p className="text-xs text-muted-foreground">
            Conversions offered below: {line.offer.map((o) => CONVERSION_COMMANDS[o].title).join(', ')}.
          </p>
        ) : null}
      </div>
    </li>
  );
}

/** The certificate alone, as the two files devices take. */
const CERTIFICATE_FILES = [
  { format: 'pem', bytes: pemBytes, type: 'application/x-pem-file' },
  { format: 'der', bytes: derBytes, type: 'application/pkix-cert' },
] as const;

function Conversions({ read }: { read: ReadResult }) {
  const [p12Password, setP12Password] = useState('');
  const [legacy, setLegacy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const cert = read.certificatePem!;
  const base = read.facts.read.ok ? (read.facts.read.certificate.commonName ?? 'certificate').replace(/[^A-Za-z0-9.-]+/g, '_') : 'certificate';

  return (
    <Card aria-labelledby="doctor-conversions">
      <CardHeader>
        <CardTitle id="doctor-conversions" className="text-base font-semibold text-foreground">
          Convert
        </CardTitle>
        <CardDescription>Made in this browser; nothing is uploaded. The openssl command next to each does the same on a workstation.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4 md:grid-cols-3">
        {CERTIFICATE_FILES.map((file) => (
          <section key={file.format} className="flex flex-col gap-2">
            <Button variant="outline" onClick={() => saveFile(`${base}.${file.format}`, file.bytes(cert), file.type)}>
              <Download aria-hidden />
              {`Download ${file.format.toUpperCase()}`}
            </Button>
            <CommandBlock commands={CONVERSION_COMMANDS[file.format].commands} label="openssl commands" />
          </section>
        ))}
        <section className="flex flex-col gap-2">
          {read.privateKeyPem ? (
            <form
              className="flex flex-col gap-2"
              aria-label="Build a PKCS#12 bundle"
              onSubmit={async (e) => {
                e.preventDefault();
                setProblem(null);
                if (!p12Password) return setProblem('Choose a password for the bundle.');
                try {
                  saveFile(
                    `${base}.p12`,
                    await pkcs12Bytes({ certificatePem: cert, privateKeyPem: read.privateKeyPem!, chainPem: read.chainPem, password: p12Password, legacy }),
                    'application/x-pkcs12',
                  );
                } catch (error) {
                  setProblem(error instanceof Error ? error.message : String(error));
                }
              }}
            >
              <Label htmlFor="doctor-p12-password">Password for the .p12</Label>
              <Input id="doctor-p12-password" type="password" autoComplete="new-password" value={p12Password} onChange={(e) => setP12Password(e.target.value)} />
              <label className="flex items-center gap-2 text-xs text-muted-foreground">
                <input type="checkbox" checked={legacy} onChange={(e) => setLegacy(e.target.checked)} /> Legacy 3DES (older Android, iOS and Windows key stores)
              </label>
              <Button type="submit" variant="outline">
                <Download aria-hidden />
                Download PKCS#12
              </Button>
              {problem ? <p className="text-xs text-destructive">{problem}</p> : null}
            </form>
          ) : (
            <p className="text-sm text-muted-foreground">A PKCS#12 bundle needs the matching private key: give it above to build one here.</p>
          )}
          <CommandBlock commands={[...CONVERSION_COMMANDS.p12.commands, ...CONVERSION_COMMANDS['from-p12'].commands]} label="openssl commands" />
        </section>
      </CardContent>
    </Card>
  );
}
