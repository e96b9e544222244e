import { z } from 'zod';
import { ERROR_CODES } from '@/lib/errors';
import { type Operation, OPERATIONS } from './operations';
import { ErrorBody } from './schemas';

type JsonSchema = Record<string, unknown>;

/**
 * The OpenAPI 3.1 document of /api/v1, generated from the zod schemas the routes validate with
 * (zod's own JSON Schema output, draft 2020-12, which OpenAPI 3.1 uses). Named schemas (`.meta({ id })`)
 * become components.
 */
export function openApiDocument(): JsonSchema {
  const components: Record<string, JsonSchema> = {};
  const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const raw = JSON.stringify(z.toJSONSchema(schema, { io, unrepresentable: 'any' })).replaceAll('"#/$defs/', '"#/components/schemas/');
    const json = JSON.parse(raw) as JsonSchema & { $defs?: Record<string, JsonSchema>; id?: string };
    for (const [id, def] of Object.entries(json.$defs ?? {})) components[id] ??= def;
    delete json.$defs;
    delete json.$schema;
    const id = (z.globalRegistry.get(schema) as { id?: string } | undefined)?.id;
    if (id) {
      components[id] ??= { ...json, id: undefined };
      delete components[id]!.id;
      return { $ref: `#/components/schemas/${id}` };
    }
    return json;
  };
  const parametersOf = (schema: z.ZodType | undefined, where: 'path' | 'query') => {
    if (!schema) return [];
    const json = schemaOf(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    return Object.entries(json.properties ?? {}).map(([name, s]) => ({
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(typeof s.description === 'string' ? { description: s.description } : {}),
      schema: s,
    }));
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of Object.values(OPERATIONS) as Operation[]) {
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(op.responses)) {
      responses[status] =
        'mediaType' in schema
          ? { description: schema.description, content: { [schema.mediaType]: { schema: { type: 'string' } } } }
          : { description: 'OK', content: { 'application/json': { schema: schemaOf(schema, 'output') } } };
    }
    responses.default = { description: 'An error: the status and error.code say which (see ERROR_CODES).', content: { 'application/json': { schema: schemaOf(ErrorBody, 'output') } } };
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      description: `Needs the permission \`${op.permission}\`.`,
      parameters: [
        ...parametersOf(op.params, 'path'),
        ...parametersOf(op.query, 'query'),
        ...(op.idempotent ? [{ name: 'Idempotency-Key', in: 'header', required: false, description: 'Retries with the same key get the first answer again; nothing runs twice.', schema: { type: 'string', maxLength: 100 } }] : []),
      ],
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(op.body, 'input') } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'certfleet API',
      version: '1',
      description: `Client certificates for an IoT fleet behind Cloudflare API Shield. Authenticate with a personal API token (Settings → API tokens): \`Authorization: Bearer cfat_…\`. Error codes: ${Object.keys(ERROR_CODES).join(', ')}.`,
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: { schemas: components, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A certfleet API token (cfat_…).' } } },
  };
}
