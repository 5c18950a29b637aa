import pino from 'pino';
import { config } from './config';
import { currentRequest } from './request-scope';

/**
 * JSON logs, one logger per service (`service` is on every line). A line written while a
 * request is handled also carries its `requestId` (and `traceId` when tracing is on), so that
 * the id a client sees in a masked error finds the log lines of that request.
 */
export function createLogger(service: string, destination?: pino.DestinationStream): pino.Logger {
  const options: pino.LoggerOptions = {
    name: service,
    level: config().logLevel,
    base: { service },
    mixin: () => {
      const scope = currentRequest();
      if (!scope) return {};
      return scope.traceId ? { requestId: scope.requestId, traceId: scope.traceId } : { requestId: scope.requestId };
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = pino.Logger;
