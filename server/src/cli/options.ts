/**
 * The options every command shares (--model, --models-dir, --execution-provider, --threads, --routing)
 * and their parsed form. Commands import these from here, not from main.ts, so that main.ts can import
 * every command without a cycle.
 */
import * as path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { ASSERTION_VIEWS, isAssertionView } from '../assertion/view';
import type { AssertionView } from '../assertion/view';
import { EXECUTION_PROVIDER_SETTINGS, isExecutionProviderSetting } from '../model/session';
import { isSegmentLanguage, SEGMENT_LANGUAGES } from '../text/prose';
import type { SegmentLanguage } from '../text/prose';
import type { ExecutionProviderSetting } from '../model/session';
import { extensionRoot } from '../paths';
import { UsageError } from './errors';

export const COMMON: ParseArgsConfig['options'] = {
  model: { type: 'string', multiple: true },
  'models-dir': { type: 'string', multiple: true },
  'execution-provider': { type: 'string' },
  threads: { type: 'string' },
  routing: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export interface CommonOptions {
  models: string[];
  modelsDirs: string[];
  executionProvider: ExecutionProviderSetting;
  threads: number;
  routing: 'auto' | 'off';
  extensionRoot: string;
}

export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

export function commonOptions(values: Values): CommonOptions {
  const ep = (values['execution-provider'] as string | undefined) ?? 'auto';
  if (!isExecutionProviderSetting(ep)) throw new UsageError(`--execution-provider must be ${EXECUTION_PROVIDER_SETTINGS.join(', ')}, not '${ep}'`);
  const threads = values.threads === undefined ? 0 : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 0) throw new UsageError(`--threads must be a whole number, not '${values.threads}'`);
  const routing = (values.routing as string | undefined) ?? 'auto';
  if (routing !== 'auto' && routing !== 'off') throw new UsageError(`--routing must be auto or off, not '${routing}'`);
  return {
    routing,
    models: (values.model as string[] | undefined) ?? [],
    modelsDirs: ((values['models-dir'] as string[] | undefined) ?? []).map((d) => path.resolve(d)),
    executionProvider: ep,
    threads,
    extensionRoot,
  };
}

/** `--assertions` (extract, stream): which assertion statuses a document keeps; default all. */
export function assertionsOption(values: Values): AssertionView {
  const view = (values.assertions as string | undefined) ?? 'all';
  if (!isAssertionView(view)) throw new UsageError(`--assertions must be one of ${ASSERTION_VIEWS.join(', ')}, not '${view}'`);
  return view;
}

/** `--language` (extract, stream): how every input is read; undefined: by each file's extension. */
export function languageOption(values: Values): SegmentLanguage | undefined {
  const language = values.language as string | undefined;
  if (language !== undefined && !isSegmentLanguage(language)) throw new UsageError(`--language must be ${SEGMENT_LANGUAGES.join(' or ')}, not '${language}'`);
  return language;
}
