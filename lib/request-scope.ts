import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What every log line and masked error of one HTTP request carries. */
export interface RequestScope {
  /** The request's id: the caller's `x-request-id` when it is a sane token, else a fresh UUID. */
  requestId: string;
  /** The W3C trace id, when tracing is on. */
  traceId?: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** The scope of the request being handled, if any (logs and error masking read it). */
export function currentRequest(): RequestScope | undefined {
  return storage.getStore();
}

export function runInRequest<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** Printable ASCII without spaces, up to 128 characters: anything else is replaced, never logged. */
const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The request id to use for an incoming `x-request-id` header value. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}
