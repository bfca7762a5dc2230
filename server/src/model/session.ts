/**
 * One onnxruntime-node InferenceSession per package, on the execution provider the setting asks for.
 *
 * `auto` tries WebGPU (bundled with onnxruntime-node on Linux x64, Dawn over Vulkan), then CUDA (only
 * where its libraries are installed), then CPU. Every failure is caught and recorded, and an explicit
 * `webgpu`/`cuda` that fails also ends on CPU: a missing GPU must never cost the user their
 * annotations. The result says which provider ran and why the others did not.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';

// ORT's process-wide logger prints a red error for every provider that is tried and missing (CUDA
// libraries absent is the normal case); failures reach us as exceptions anyway and are reported with
// the provider that ran. ERLENS_ORT_LOG_LEVEL=verbose|info|warning|error brings the logger back.
ort.env.logLevel = (process.env.ERLENS_ORT_LOG_LEVEL as typeof ort.env.logLevel) || 'fatal';

/**
 * Two meanings, two names: the setting (`erlens.executionProvider`, `--execution-provider`) says what
 * to try, `auto` trying each in turn; the provider is what a session actually runs on.
 */
export const EXECUTION_PROVIDER_SETTINGS = ['auto', 'cpu', 'webgpu', 'cuda'] as const;
export type ExecutionProviderSetting = (typeof EXECUTION_PROVIDER_SETTINGS)[number];
export type ExecutionProvider = Exclude<ExecutionProviderSetting, 'auto'>;

export interface SessionOptions {
  executionProvider?: ExecutionProviderSetting;
  /** Threads ORT may use inside one operator (0 or absent: ORT's default). */
  intraOpNumThreads?: number;
  /**
   * ORT's CPU memory arena and memory-pattern planning. Both off by default: an arena keeps the
   * largest batch's working memory for the session's life. Measured with `erlens bench
   * --session-memory` (clinical model, 2,000-sentence note, 2 cores under load): with calls of 16
   * sentences the arena held 489 MB after the note; with calls bounded by word pairs (ModelRunner) the
   * four settings end within 208-215 MB at the same speed, so off costs nothing and bounds the worst case.
   */
  cpuMemArena?: boolean;
  memPattern?: boolean;
  /**
   * Runs once on a freshly created non-CPU session: a provider can create a session and still fail on
   * its first run (missing kernels, driver trouble). A failing probe counts as that provider failing.
   */
  probe?: (session: ort.InferenceSession) => Promise<void>;
}

export interface ProviderAttempt {
  provider: ExecutionProvider;
  error: string; // one line
}

export interface CreatedSession {
  session: ort.InferenceSession;
  provider: ExecutionProvider;
  /** Providers tried before the one that ran, with the reason each failed. */
  failed: ProviderAttempt[];
}

export function providerOrder(setting: ExecutionProviderSetting | string | undefined): ExecutionProvider[] {
  switch (setting) {
    case 'cpu':
      return ['cpu'];
    case 'webgpu':
      return ['webgpu', 'cpu'];
    case 'cuda':
      return ['cuda', 'cpu'];
    default:
      return ['webgpu', 'cuda', 'cpu'];
  }
}

export function isExecutionProviderSetting(value: unknown): value is ExecutionProviderSetting {
  return typeof value === 'string' && (EXECUTION_PROVIDER_SETTINGS as readonly string[]).includes(value);
}

function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  // ORT prefixes messages with source paths; the last line is the useful part.
  const lines = msg.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines[lines.length - 1] ?? 'unknown error').slice(0, 300);
}

/** Create a session for `graphPath`, falling back along `providerOrder(setting)`. Throws only if CPU fails. */
export async function createSession(graphPath: string, options: SessionOptions = {}): Promise<CreatedSession> {
  const failed: ProviderAttempt[] = [];
  const order = providerOrder(options.executionProvider ?? 'auto');
  for (const provider of order) {
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
      // Attempts that are expected to fail (no GPU) would otherwise print ORT errors to stderr.
      logSeverityLevel: provider === 'cpu' ? 2 : 4,
      enableCpuMemArena: options.cpuMemArena ?? false,
      enableMemPattern: options.memPattern ?? false,
    };
    if (options.intraOpNumThreads && options.intraOpNumThreads > 0) sessionOptions.intraOpNumThreads = options.intraOpNumThreads;
    const missing = provider === 'webgpu' ? missingWebGpuRuntime() : null;
    if (missing) {
      failed.push({ provider, error: missing });
      continue;
    }
    let session: ort.InferenceSession | undefined;
    try {
      session = await ort.InferenceSession.create(graphPath, sessionOptions);
      if (provider !== 'cpu' && options.probe) await options.probe(session);
      return { session, provider, failed };
    } catch (err) {
      if (session) await session.release().catch(() => undefined);
      if (provider === 'cpu') throw err;
      failed.push({ provider, error: oneLine(err) });
    }
  }
  throw new Error('no execution provider could be tried'); // unreachable: cpu is always last
}

/** Which providers this build of onnxruntime-node knows about (not whether a device is present). */
export function knownProviders(): ExecutionProvider[] {
  const backends = (ort as unknown as { listSupportedBackends?: () => Array<{ name: string }> }).listSupportedBackends?.() ?? [];
  const names = new Set(backends.map((b) => b.name));
  return (['cpu', 'webgpu', 'cuda'] as ExecutionProvider[]).filter((p) => p === 'cpu' || names.has(p));
}

/**
 * On Linux, onnxruntime-node's WebGPU provider (Dawn) needs the Vulkan loader. Without it Dawn prints
 * a warning to stderr and fails; checking first keeps the CLI's output clean and says why plainly.
 * Returns the reason WebGPU cannot run, or null when it is worth trying.
 */
export function missingWebGpuRuntime(): string | null {
  if (process.platform !== 'linux') return null;
  const lib = 'libvulkan.so.1';
  const dirs = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  dirs.push('/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/lib/x86_64-linux-gnu');
  if (dirs.some((d) => fs.existsSync(path.join(d, lib)))) return null;
  try {
    if (fs.readFileSync('/etc/ld.so.cache').includes(lib)) return null;
  } catch {
    return null; // cannot tell: let ORT try
  }
  return `the Vulkan loader (${lib}) is not installed, which WebGPU (Dawn) needs on Linux`;
}
