/** The HTTP door (API Gateway REST, proxy integration): event in, lib/http-api, JSON (or the status page's HTML) out. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { readHttpConfig } from '../lib/config';
import { answer, errorBody, type HttpAnswer, type JsonAnswer, PAGE_HEADERS } from '../lib/http-api';
import { buildDeps } from './deps';

function json({ statusCode, body, headers }: JsonAnswer): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: `${JSON.stringify(body)}\n`,
  };
}

function shaped(result: HttpAnswer): APIGatewayProxyResult {
  return result.html === undefined ? json(result) : { statusCode: result.statusCode, headers: { ...PAGE_HEADERS }, body: result.html };
}

export async function handler(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
  const deps = buildDeps();
  if (context) deps.logger.addContext(context);
  try {
    const config = readHttpConfig(process.env);
    const body = event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : (event.body ?? null);
    const result = await answer(
      { method: event.httpMethod, route: event.resource ?? event.path, query: event.queryStringParameters ?? {}, body },
      {
        config,
        trustStore: await deps.trustStoreFor(config),
        store: () => deps.storeFor(config),
        remainingMs: context ? () => context.getRemainingTimeInMillis() : undefined,
      },
    );
    deps.log({ level: 'info', msg: 'answered', method: event.httpMethod, route: event.resource, statusCode: result.statusCode });
    return shaped(result);
  } catch (err) {
    // The stack goes to the logs, never to the caller.
    deps.logger.error('request failed', err as Error);
    return json({ statusCode: 500, body: errorBody('INTERNAL_ERROR', `the request failed (${(err as Error).name}); the function's logs have the details`) });
  }
}
