/**
 * The per-request work limits as flags of `serve` and `demo` (docs/operating-limits.md):
 * `--max-depth`, `--max-rows`, `--max-response-bytes`, `--statement-timeout`. A flag wins
 * over its environment variable (FARJOIN_MAX_DEPTH, …), which wins over the default.
 */
import type { Command } from 'commander';
import type { EngineLimits } from '../runtime/engine.js';
import { DEFAULT_WORK_LIMITS, LIMIT_NAMES, parseLimit, type WorkLimits } from '../runtime/limits.js';

export interface LimitFlags {
  maxDepth?: string;
  maxRows?: string;
  maxResponseBytes?: string;
  statementTimeout?: string;
}

const HELP: Record<keyof WorkLimits, string> = {
  maxDepth: 'deepest query, in field levels',
  maxRows: 'most rows (objects in lists, at any level) in one response',
  maxResponseBytes: 'largest response, in bytes of JSON',
  statementTimeoutMs: 'statement timeout on every source, in ms',
};

const FLAG_VALUE: Record<keyof WorkLimits, string> = { maxDepth: '<n>', maxRows: '<n>', maxResponseBytes: '<bytes>', statementTimeoutMs: '<ms>' };

export function limitOptions(command: Command): Command {
  for (const key of Object.keys(HELP) as (keyof WorkLimits)[]) {
    const { flag, env } = LIMIT_NAMES[key];
    command.option(`${flag} ${FLAG_VALUE[key]}`, `${HELP[key]}; 0: no limit (default: $${env}, else ${DEFAULT_WORK_LIMITS[key]})`);
  }
  return command;
}

export function limitsFrom(o: LimitFlags): EngineLimits {
  const pick = (key: keyof WorkLimits, text: string | undefined): Partial<EngineLimits> =>
    text === undefined ? {} : { [key]: parseLimit(key, text, LIMIT_NAMES[key].flag) };
  return {
    ...pick('maxDepth', o.maxDepth),
    ...pick('maxRows', o.maxRows),
    ...pick('maxResponseBytes', o.maxResponseBytes),
    ...pick('statementTimeoutMs', o.statementTimeout),
  };
}
