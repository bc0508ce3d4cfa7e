import { cpus, loadavg, totalmem } from 'node:os';

export const loadAverage = (): string => loadavg().map((x) => x.toFixed(2)).join(' / ');

/** CPU model, cores, memory and Node version, for the report. */
export function machineLine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}
