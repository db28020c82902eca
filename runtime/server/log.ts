/**
 * Structured logs (DESIGN.md §8): one JSON line per HTTP request with its status, total
 * time, plan-cache hit and the timing of every plan step. The engine takes any logger with
 * pino's object-first methods; `createLogger()` makes a pino logger writing to stdout.
 */
import { pino, type LoggerOptions } from 'pino';

export interface EngineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: EngineLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A pino logger (JSON lines on stdout) named `farjoin`; level from `FARJOIN_LOG_LEVEL`, default `info`. */
export function createLogger(options: LoggerOptions = {}): EngineLogger {
  return pino({ name: 'farjoin', level: process.env.FARJOIN_LOG_LEVEL ?? 'info', ...options });
}
