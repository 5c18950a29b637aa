import pino from 'pino';
import { config } from './config';

/** JSON logs, one logger per service (`service` is on every line). */
export function createLogger(service: string): pino.Logger {
  return pino({ name: service, level: config().logLevel, base: { service } });
}

export type Logger = pino.Logger;
