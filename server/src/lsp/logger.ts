/**
 * Server log lines, sent to the client's "ERlens" output channel through window/logMessage.
 * Notes can hold patient data, so document text is only ever logged through `documentText`, which is
 * silent unless `erlens.trace.server` is `verbose`.
 */
import type { TraceLevel } from './settings';

export interface LogSink {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  log(message: string): void;
}

export class Logger {
  level: TraceLevel = 'off';

  constructor(private readonly sink: LogSink) {}

  error(message: string): void {
    this.sink.error(message);
  }
  warn(message: string): void {
    this.sink.warn(message);
  }
  info(message: string): void {
    this.sink.info(message);
  }
  /** Timings and counts: shown when tracing is on. */
  debug(message: string): void {
    if (this.level !== 'off') this.sink.log(message);
  }
  /** Anything that contains document text. */
  documentText(label: string, text: string): void {
    if (this.level === 'verbose') this.sink.log(`${label}: ${JSON.stringify(text.length > 2000 ? `${text.slice(0, 2000)}…` : text)}`);
  }
}
