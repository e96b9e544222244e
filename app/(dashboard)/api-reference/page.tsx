import type { Metadata } from 'next';
import { Badge } from '@/components/ui/badge';
import { SectionCard } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { openApiDocument } from '@/lib/api/v1/openapi';
import { requireUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'API reference' };

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema: { type?: string; enum?: string[] };
}
interface OperationDoc {
  operationId: string;
  summary: string;
  description: string;
  parameters: Parameter[];
  requestBody?: { content: { 'application/json': { schema: { $ref?: string } } } };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
}

const refName = (ref?: string) => ref?.split('/').pop();

/** The REST API as people read it: every operation of the generated OpenAPI document, and the document itself. */
export default async function ApiReferencePage() {
  await requireUser();
  const doc = openApiDocument() as { paths: Record<string, Record<string, OperationDoc>>; components: { schemas: Record<string, { properties?: Record<string, { description?: string; type?: string }>; required?: string[] }> } };
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
  return (
    <>
      <PageHeader
        title="API reference"
        description="certfleet’s REST API, version 1. Make a token in Settings → API tokens and send it as Authorization: Bearer cfat_…. The machine-readable OpenAPI 3.1 document is at /api/v1/openapi.json."
      />
      <p className="mb-4 text-sm">
        <a className="underline" href="/api/v1/openapi.json">
          /api/v1/openapi.json
        </a>{' '}
        · CLI: <code className="font-mono">CERTFLEET_URL=… CERTFLEET_TOKEN=cfat_… npm run cli -- help</code>
      </p>
      <div className="flex flex-col gap-4">
        {operations.map(({ path, method, op }) => {
          const body = refName(op.requestBody?.content['application/json'].schema.$ref);
          const bodySchema = body ? doc.components.schemas[body] : undefined;
          const ok = Object.entries(op.responses).find(([s]) => s.startsWith('2'));
          return (
            <SectionCard
              key={`${method} ${path}`}
              id={op.operationId}
              titleClassName="flex flex-wrap items-center gap-2"
              title={
                <>
                  <Badge tone={method === 'get' ? 'neutral' : 'warning'}>{method.toUpperCase()}</Badge>
                  <code className="font-mono text-sm break-all">{path}</code>
                </>
              }
              description={
                <>
                  {op.summary} {op.description}
                </>
              }
              contentClassName="flex flex-col gap-2 text-sm"
            >
                {op.parameters.length ? (
                  <dl className="grid grid-cols-[minmax(8rem,auto)_1fr] gap-x-4 gap-y-1">
                    {op.parameters.map((p) => (
                      <div key={`${p.in}-${p.name}`} className="contents">
                        <dt className="font-mono">
                          {p.name}
                          <span className="text-muted-foreground"> ({p.in}{p.required ? ', required' : ''})</span>
                        </dt>
                        <dd className="text-muted-foreground">{p.description ?? (p.schema.enum ? p.schema.enum.join(' | ') : p.schema.type)}</dd>
                      </div>
                    ))}
                  </dl>
                ) : null}
                {bodySchema ? (
                  <p>
                    Body (JSON): {Object.keys(bodySchema.properties ?? {}).map((k) => (bodySchema.required ?? []).includes(k) ? k : `${k}?`).join(', ')}
                  </p>
                ) : null}
                {ok ? (
                  <p>
                    Answers {ok[0]} with {refName(ok[1].content?.['application/json']?.schema.$ref) ?? 'JSON'}; errors as <code className="font-mono">{'{ error: { code, message } }'}</code>.
                  </p>
                ) : null}
            </SectionCard>
          );
        })}
      </div>
    </>
  );
}
