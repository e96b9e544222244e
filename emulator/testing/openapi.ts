/**
 * Test support: validate emulator responses against Cloudflare's published schemas
 * (openapi-excerpt.json, and custom-csrs.json for the custom CSR API,
 * which the public OpenAPI snapshot lacks).
 *
 * One deliberate adjustment, because the excerpt contradicts itself: the shared `identifier`
 * schema says maxLength 32 (a zone id), yet the excerpt's own custom-hostname `id` query
 * parameter and ssl.id demand 36-character UUIDs, and seed 001's client certificate id and
 * certificate_authority.id are UUIDs too. Resource ids are validated as ≤ 36; zone ids are
 * checked to be 32 hex digits separately by the tests.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON documents walked by key
type Json = Record<string, any>;

const here = path.dirname(fileURLToPath(import.meta.url));
/**
 * Copies of ../shared/cloudflare-api/{openapi-excerpt,custom-csrs}.json, committed so the schema
 * tests also run in a fresh clone without ../shared; openapi.test.ts fails when they drift.
 */
export const VENDORED_API_DIR = path.join(here, 'cloudflare-api');
export const SHARED_API_DIR = path.resolve(here, '../../../shared/cloudflare-api');

function load(name: string): Json {
  return JSON.parse(readFileSync(path.join(VENDORED_API_DIR, name), 'utf8'));
}

const excerpt = load('openapi-excerpt.json');
const customCsrs = load('custom-csrs.json');
excerpt.components.schemas['tls-certificates-and-hostnames_identifier'].maxLength = 36;

const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
ajv.addSchema(excerpt, 'cf');

function rebase(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rebase);
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `cf${v}` : rebase(v);
    return out;
  }
  return node;
}

const cache = new Map<string, ValidateFunction>();

function compile(key: string, schema: unknown): ValidateFunction {
  let fn = cache.get(key);
  if (!fn) {
    fn = ajv.compile(rebase(schema) as object);
    cache.set(key, fn);
  }
  return fn;
}

export function componentSchema(name: string): unknown {
  const s = excerpt.components.schemas[name];
  if (!s) throw new Error(`No schema ${name} in the excerpt`);
  return s;
}

/** Errors of `body` against the documented response of an operation ([] = valid). */
export function specErrors(apiPath: string, method: string, status: number | '4XX', body: unknown): string[] {
  const op = excerpt.paths[apiPath]?.[method.toLowerCase()];
  if (!op) throw new Error(`No operation ${method} ${apiPath} in the excerpt`);
  const response = op.responses[String(status)] ?? op.responses['200'];
  const schema = response.content['application/json'].schema;
  const fn = compile(`${method} ${apiPath} ${status}`, schema);
  return fn(body) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

/**
 * Errors against the common failure envelope. (Some operations' documented 4XX schemas combine a
 * success schema with the failure one and accept no body at all, e.g. POST client_certificates.)
 */
export function failureErrors(body: unknown): string[] {
  const fn = compile('failure', componentSchema('tls-certificates-and-hostnames_api-response-common-failure'));
  return fn(body) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

/** Errors of a custom CSR response envelope ('single' or 'collection') against custom-csrs.json. */
export function customCsrErrors(body: unknown, kind: 'single' | 'collection'): string[] {
  const item = customCsrs.schemas.CustomCsr;
  const envelope = kind === 'single' ? 'tls-certificates-and-hostnames_api-response-single' : 'tls-certificates-and-hostnames_api-response-collection';
  const schema = {
    allOf: [
      { $ref: `#/components/schemas/${envelope}` },
      { properties: { result: kind === 'single' ? item : { type: 'array', items: item } }, required: ['result'] },
    ],
  };
  const fn = compile(`customCsr ${kind}`, schema);
  return fn(body) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

/** Errors against the generic success envelope (api-response-single). */
export function envelopeErrors(body: unknown): string[] {
  const fn = compile('single', componentSchema('tls-certificates-and-hostnames_api-response-single'));
  return fn(body) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
