/**
 * Cancellation of requests: the client's `$/cancelRequest` and the cancel button of a progress report
 * both stop the same work (an export, and the analysis it waits for).
 */
import { LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import type { CancellationToken } from 'vscode-languageserver/node';

/** Cancelled when any of the tokens is: a StopSignal for the pipeline, a promise and callbacks for waits. */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly promise: Promise<void>;
  onAbort(f: () => void): void;
}

export function stopSignal(...tokens: CancellationToken[]): CancelSignal {
  let aborted = tokens.some((t) => t.isCancellationRequested);
  const callbacks: Array<() => void> = [];
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  const abort = () => {
    if (aborted && callbacks.length === 0) return;
    aborted = true;
    fire();
    for (const f of callbacks.splice(0)) f();
  };
  for (const t of tokens) t.onCancellationRequested(abort);
  if (aborted) fire();
  return {
    get aborted() {
      return aborted;
    },
    promise,
    onAbort: (f) => (aborted ? f() : callbacks.push(f)),
  };
}

/** A request the client cancelled ($/cancelRequest) answers RequestCancelled instead of a result. */
export function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
}
