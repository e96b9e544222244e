import { ArrowLeft, Download } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { guardedPage } from '@/components/shell/guarded-page';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { buttonClasses } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { SimpleTable } from '@/components/ui/simple-table';
import { TableCell, TableRow } from '@/components/ui/table';
import { can } from '@/lib/auth/permissions';
import { getCustomCsr } from '@/lib/data/custom-csrs';
import { KEY_TYPE_LABELS } from '@/lib/validation/custom-csr-constants';
import { CopyButton } from './_components/copy-button';
import { DeleteCustomCsrDialog } from './_components/delete-custom-csr-dialog';
import { UploadCertificateForm } from './_components/upload-certificate-form';

export const metadata: Metadata = { title: 'Custom CSR' };

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

const statusTone = (status: string): BadgeTone => (status === 'active' ? 'success' : status.startsWith('pending') ? 'warning' : 'danger');

export default guardedPage('customcsr:view', async (user, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  const csr = await getCustomCsr(user, id);
  if (!csr) notFound();
  const canManage = can(user.role, 'customcsr:manage');
  const fileName = `${csr.commonName.replace(/[^A-Za-z0-9.-]+/g, '_')}.csr`;

  return (
    <>
      <Link href="/custom-csrs" className="mb-3 inline-flex items-center gap-1.5 text-sm text-muted-foreground hover:text-foreground">
        <ArrowLeft aria-hidden className="size-4" />
        Custom CSRs
      </Link>
      <PageHeader
        title={csr.commonName}
        description={
          <>
            {KEY_TYPE_LABELS[csr.keyType]} key held by Cloudflare · created {dateFormat.format(csr.createdAt)} UTC · Cloudflare id{' '}
            <span className="font-mono">{csr.cloudflareId}</span>
          </>
        }
        actions={canManage ? <DeleteCustomCsrDialog id={csr.id} commonName={csr.commonName} hostnames={csr.hostnames.map((h) => h.hostname)} /> : null}
      />

      <div className="grid gap-4 lg:grid-cols-5">
        <Card className="lg:col-span-3">
          <CardHeader className="flex-row items-start justify-between gap-3">
            <div className="flex flex-col gap-1">
              <CardTitle className="text-base font-semibold text-foreground">Certificate signing request</CardTitle>
              <CardDescription>Give this to your customer for their CA. It holds no secret.</CardDescription>
            </div>
            <div className="flex items-center gap-2">
              <CopyButton text={csr.csrPem} label="Copy CSR" />
              <a href={`/api/custom-csrs/${csr.id}/csr`} download={fileName} className={buttonClasses({ variant: 'outline', size: 'sm' })}>
                <Download aria-hidden />
                Download .csr
              </a>
            </div>
          </CardHeader>
          <CardContent>
            <pre data-testid="csr-pem" tabIndex={0} role="region" aria-label="CSR PEM" className="focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none max-h-96 overflow-auto rounded-md border border-border bg-muted/40 p-3 font-mono text-xs leading-relaxed">
              {csr.csrPem}
            </pre>
          </CardContent>
        </Card>

        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle className="text-base font-semibold text-foreground">What the CSR says</CardTitle>
            <CardDescription>Read from the PEM itself, not from certfleet&apos;s records.</CardDescription>
          </CardHeader>
          <CardContent>
            {csr.parsed ? (
              <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-2 text-sm">
                <dt className="text-muted-foreground">Subject</dt>
                <dd className="font-mono text-xs break-all">{csr.parsed.subjectDn}</dd>
                <dt className="text-muted-foreground">SANs</dt>
                <dd>
                  <ul aria-label="SANs in the CSR">
                    {csr.parsed.sans.map((s) => (
                      <li key={s} className="font-mono text-xs">
                        {s}
                      </li>
                    ))}
                  </ul>
                </dd>
                <dt className="text-muted-foreground">Key</dt>
                <dd>
                  {csr.parsed.keyType === 'EC' ? `ECDSA ${csr.parsed.curve ?? `${csr.parsed.keySize} bits`}` : `RSA ${csr.parsed.keySize} bits`}
                </dd>
                <dt className="text-muted-foreground">Signature</dt>
                <dd>
                  {csr.parsed.signatureAlgorithm}{' '}
                  {csr.parsed.signatureValid ? <Badge tone="success">verifies</Badge> : <Badge tone="danger">does not verify</Badge>}
                </dd>
                <dt className="text-muted-foreground">Public key SHA-256</dt>
                <dd className="font-mono text-xs break-all">{csr.parsed.spkiSha256}</dd>
                <dt className="text-muted-foreground">Organization</dt>
                <dd>
                  {csr.organization}
                  {csr.organizationalUnit ? ` / ${csr.organizationalUnit}` : ''} — {csr.locality}, {csr.state}, {csr.country}
                </dd>
              </dl>
            ) : (
              <p className="text-sm text-destructive">The stored CSR cannot be parsed. Reconcile with Cloudflare to fetch it again.</p>
            )}
          </CardContent>
        </Card>
      </div>

      <Card className="mt-4">
        <CardHeader>
          <CardTitle className="text-base font-semibold text-foreground">Custom hostnames using this key</CardTitle>
          <CardDescription>Each certificate&apos;s expiry joins the expiry flags on the Overview.</CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-5">
          {csr.hostnames.length ? (
            <SimpleTable label="Custom hostnames" columns={['Hostname', 'Certificate status', 'Issuer', 'Expires']}>
              {csr.hostnames.map((h) => (
                <TableRow key={h.id}>
                  <TableCell className="font-medium">{h.hostname}</TableCell>
                  <TableCell>
                    <Badge tone={statusTone(h.sslStatus)}>{h.sslStatus.replaceAll('_', ' ')}</Badge>
                  </TableCell>
                  <TableCell className="text-muted-foreground">{h.issuer ?? '—'}</TableCell>
                  <TableCell>{h.expiresOn ? <time dateTime={h.expiresOn.toISOString()}>{dateFormat.format(h.expiresOn)} UTC</time> : '—'}</TableCell>
                </TableRow>
              ))}
            </SimpleTable>
          ) : (
            <p className="text-sm text-muted-foreground">No custom hostname uses this key yet.</p>
          )}
          {canManage ? <UploadCertificateForm id={csr.id} csrPem={csr.csrPem} defaultHostname={csr.commonName} /> : null}
        </CardContent>
      </Card>
    </>
  );
});
