/** The counters of erlens/stats and erlens/status: models, cache, runs, documents and memory. */
import type { ModelHost } from './modelHost';
import type { ServerStats } from './protocol';
import type { AnnotationScheduler } from './scheduler';
import type { ErlensSettings } from './settings';

export interface StatsSources {
  models: ModelHost;
  scheduler: AnnotationScheduler;
  openDocuments: number;
  settings: ErlensSettings;
}

export function serverStats({ models, scheduler, openDocuments, settings }: StatsSources): ServerStats {
  const host = models.loadedNow();
  const memory = process.memoryUsage();
  return {
    models: host?.models.map((m) => m.id) ?? [],
    // What ran when something loaded; the setting while loading; 'none' when nothing could be loaded.
    executionProvider: host?.models.length ? [...new Set(host.models.map((m) => m.provider))].join(', ') : host ? settings.executionProvider : 'none',
    cacheHits: host?.counters.cacheHits ?? 0,
    cacheMisses: host?.counters.cacheMisses ?? 0,
    cacheBytes: host?.counters.cacheBytes ?? 0,
    inferredSentences: scheduler.inferredSentences,
    runsCompleted: scheduler.runsCompleted,
    runsAborted: scheduler.runsAborted,
    openDocuments,
    busyDocuments: scheduler.busyCount(),
    problems: models.problems(),
    loading: models.loading,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
    workerHeapUsedBytes: host?.counters.heapUsedBytes ?? 0,
    workerHeapTotalBytes: host?.counters.heapTotalBytes ?? 0,
    workerExternalBytes: host?.counters.externalBytes ?? 0,
    workerDocuments: host?.counters.documents ?? 0,
  };
}
