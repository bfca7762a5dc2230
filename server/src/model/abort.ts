/**
 * Stopping work that is no longer wanted. A StopSignal is anything with an `aborted` flag: an
 * AbortSignal, or the language server's view of "a newer version of this document exists" (read from
 * shared memory by the analysis worker, so a stale run notices without waiting for a message).
 */
export interface StopSignal {
  readonly aborted: boolean;
}

export class AbortError extends Error {
  constructor() {
    super('annotation was cancelled');
    this.name = 'AbortError';
  }
}

export function throwIfAborted(signal: StopSignal | undefined): void {
  if (signal?.aborted) throw new AbortError();
}

export function isAbortError(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'AbortError' || (error as { code?: string } | undefined)?.code === 'ABORT_ERR';
}
