import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from './worker-runner';

const TOKEN = 'runner-token';

function certificate(n: number) {
  const fingerprint = n.toString(16).padStart(64, 'c');
  return {
    fingerprint,
    cf: {
      tlsClientAuth: {
        certPresented: '1',
        certVerified: 'SUCCESS',
        certRevoked: '0',
        certFingerprintSHA256: fingerprint,
        certSerial: `0${n}AB`,
        certSKI: 'BB:AF:7E:02',
      },
    },
  };
}

async function withWorker<T>(opts: { persistDir?: string }, fn: (w: RunningWorker) => Promise<T>): Promise<T> {
  const worker = await startWorker({ exportToken: TOKEN, output: 'ignore', ...opts });
  try {
    return await fn(worker);
  } finally {
    await worker.stop();
  }
}

const exportGet = (w: RunningWorker, p: string) =>
  w.dispatchFetch(`https://edge.test${p}`, { headers: { authorization: `Bearer ${TOKEN}` } });

describe('the Worker in workerd', () => {
  it('keeps readings across restarts when given a persist directory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-worker-'));
    const { fingerprint, cf } = certificate(1);
    try {
      await withWorker({ persistDir: dir }, async (w) => {
        const res = await w.dispatchFetch('https://edge.test/temps', {
          method: 'POST',
          body: JSON.stringify({ temperature: 21.5, time: '2024-05-01T10:00:00Z' }),
          cf,
        });
        expect(res.status).toBe(201);
      });
      await withWorker({ persistDir: dir }, async (w) => {
        const res = await w.dispatchFetch('https://edge.test/temps', {
          method: 'POST',
          body: JSON.stringify({ temperature: 22, time: '2024-05-01T10:01:00Z' }),
          cf,
        });
        expect(await res.json()).toMatchObject({ seq: 2 });
        const body = (await (await exportGet(w, '/export/certificates')).json()) as { certificates: unknown[] };
        expect(body.certificates).toEqual([
          expect.objectContaining({ fingerprint, serial: '01AB', ski: 'bbaf7e02', count: 2, lastSeq: 2 }),
        ]);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a chunked body over the limit without a Content-Length (413) and checks methods, paths, params', async () => {
    await withWorker({}, async (w) => {
      const { fingerprint, cf } = certificate(2);
      const chunk = new TextEncoder().encode(' '.repeat(1024));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 8) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const big = await w.dispatchFetch('https://edge.test/temps', { method: 'POST', body, duplex: 'half', cf } as never);
      expect(big.status).toBe(413);

      const put = await w.dispatchFetch('https://edge.test/temps', { method: 'PUT', body: '{}', cf });
      expect(put.status).toBe(405);
      expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
      expect((await w.dispatchFetch('https://edge.test/nope', { cf })).status).toBe(404);

      expect((await exportGet(w, '/export/readings?fingerprint=abc')).status).toBe(400);
      expect((await exportGet(w, `/export/readings?fingerprint=${fingerprint}&limit=5001`)).status).toBe(400);
      expect((await exportGet(w, `/export/readings?fingerprint=${fingerprint}`)).status).toBe(404);
      expect((await exportGet(w, `/export/buckets?fingerprint=${fingerprint}&from=2024-01-01T00:00:00Z`)).status).toBe(400);
    });
  });

  it('pages the certificate list by fingerprint across registry shards', async () => {
    await withWorker({}, async (w) => {
      const fingerprints: string[] = [];
      for (const prefix of ['0', '7', 'f', '3']) {
        const fingerprint = prefix + 'e'.repeat(63);
        fingerprints.push(fingerprint);
        const cf = { tlsClientAuth: { ...certificate(0).cf.tlsClientAuth, certFingerprintSHA256: fingerprint.toUpperCase() } };
        const res = await w.dispatchFetch('https://edge.test/temps', {
          method: 'POST',
          body: JSON.stringify({ temperature: 1, time: '2024-05-01T10:00:00Z' }),
          cf,
        });
        expect(res.status).toBe(201);
      }
      const seen: string[] = [];
      let cursor = '';
      for (;;) {
        const page = (await (await exportGet(w, `/export/certificates?limit=3&after=${cursor}`)).json()) as {
          certificates: { fingerprint: string }[];
          nextCursor: string | null;
          hasMore: boolean;
        };
        seen.push(...page.certificates.map((c) => c.fingerprint));
        if (!page.hasMore) break;
        cursor = page.nextCursor!;
      }
      expect(seen).toEqual(fingerprints.sort());
    });
  });
});
