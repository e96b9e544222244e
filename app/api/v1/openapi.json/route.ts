import { NextResponse } from 'next/server';
import { openApiDocument } from '@/lib/api/v1/openapi';

/** The OpenAPI 3.1 document of /api/v1, public like any API description (it holds no data). */
export const dynamic = 'force-static';
export function GET() {
  return NextResponse.json(openApiDocument());
}
