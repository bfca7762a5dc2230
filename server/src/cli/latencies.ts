/** How the benches report measured times: one decimal, and a list of latencies as count, p50, p95, max. */
export const round = (x: number): number => Math.round(x * 10) / 10;

export interface Latencies {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

export function summarize(values: number[]): Latencies {
  const v = [...values].sort((a, b) => a - b);
  const q = (p: number) => round(v[Math.min(v.length - 1, Math.floor(p * v.length))] ?? NaN);
  return { count: v.length, p50: q(0.5), p95: q(0.95), max: round(v[v.length - 1] ?? NaN) };
}
