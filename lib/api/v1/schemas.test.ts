import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi';
import { OPERATIONS } from './operations';
import { DeviceSeriesQuery, FleetSeriesQuery, RenewBody } from './schemas';

describe('the OpenAPI document', () => {
  it('describes every operation of the registry once, with its parameters and answers', () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, { operationId: string; parameters: { name: string }[]; responses: Record<string, unknown> }>> };
    const ops = Object.values(doc.paths).flatMap((methods) => Object.values(methods));
    expect(ops.map((o) => o.operationId).sort()).toEqual(Object.keys(OPERATIONS).sort());
    const renew = doc.paths['/api/v1/certificates/{id}/renew']!.post!;
    expect(renew.parameters.map((p) => p.name)).toEqual(['id', 'Idempotency-Key']);
    expect(Object.keys(renew.responses).sort()).toEqual(['200', '201', 'default']);
    expect(doc.paths['/api/v1/readings']!.get!.parameters.map((p) => p.name)).toEqual(['device', 'group', 'range', 'from', 'to', 'page', 'health', 'q', 'bucket']);
    expect(doc.paths['/api/v1/custom-csrs/{id}']!.delete!.operationId).toBe('deleteCustomCsr');
  });
});

describe('the readings series query', () => {
  const now = Date.now();
  it('takes a preset or from/to, and a bucket width that keeps a series within 1000 points', () => {
    expect(DeviceSeriesQuery.parse({ range: '7d' })).toMatchObject({ range: { preset: '7d' }, widthSeconds: undefined });
    const parsed = FleetSeriesQuery.parse({ group: 'lab', from: new Date(now - 86_400_000).toISOString(), to: new Date(now).toISOString(), bucket: '3600' });
    expect(parsed).toMatchObject({ range: { preset: 'custom' }, selection: { group: 'lab', deviceIds: [] }, widthSeconds: 3600 });
  });
  it('refuses a bad range, a bad bucket and too many buckets with a message naming the field', () => {
    const issues = (q: Record<string, string>) => DeviceSeriesQuery.safeParse(q).error?.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues({ range: '2d' })).toEqual([['range', 'Unknown range: use 1h, 24h, 7d, 30d or 90d.']]);
    expect(issues({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toEqual([['from', 'The end of the range must be after its start.']]);
    expect(issues({ from: 'yesterday', to: '2026-01-01T00:00:00Z' })).toEqual([['from', "The range's from is not an ISO 8601 date-time."]]);
    expect(issues({ range: '24h', bucket: 'often' })?.[0]?.[0]).toBe('bucket');
    expect(issues({ range: '24h', bucket: '0' })).toEqual([['bucket', 'At least 1 second.']]);
    expect(issues({ range: '30d', bucket: '60' })?.[0]).toEqual(['bucket', expect.stringMatching(/^60 s buckets over this range make 4320[01] points; at most 1000/)]);
  });
});

describe('the renew body', () => {
  it('revokes the old certificate when the device is seen unless told otherwise, and refuses a private key', () => {
    expect(RenewBody.parse({ csrPem: '-----BEGIN CERTIFICATE REQUEST-----' })).toMatchObject({ revokeOld: 'when-seen' });
    expect(RenewBody.safeParse({ csrPem: '-----BEGIN PRIVATE KEY-----', revokeOld: 'later' }).error?.issues.map((i) => i.path[0])).toEqual(['csrPem', 'revokeOld']);
  });
});
