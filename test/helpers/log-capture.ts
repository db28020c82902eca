/** An EngineLogger that keeps every line, for tests that read the log. */
import type { EngineLogger } from '../../runtime/server/log.js';

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly obj: Record<string, unknown>;
  readonly msg: string | undefined;
}

export class CapturedLog implements EngineLogger {
  readonly lines: LogLine[] = [];
  info(obj: object, msg?: string): void {
    this.lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg });
  }
  warn(obj: object, msg?: string): void {
    this.lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg });
  }
  error(obj: object, msg?: string): void {
    this.lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg });
  }
  errors(requestId?: string): LogLine[] {
    return this.lines.filter((l) => l.level === 'error' && (requestId === undefined || l.obj.requestId === requestId));
  }
  clear(): void {
    this.lines.length = 0;
  }
}
