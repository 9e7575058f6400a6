import fs from 'node:fs';

/** A field of /proc/<pid>/status in kB (`VmRSS` now, `VmHWM` the peak), or undefined once the process is gone. */
export function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Resets the process's peak RSS (VmHWM) to its current RSS (Linux ≥ 4.0, our own processes). */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface PeakRss {
  /** Sum over the processes of each one's peak during the window, in MiB. */
  totalMb: number;
  perProcess: { name: string; peakMb: number }[];
  /** How the peak was taken: VmHWM after a reset, or the highest sampled VmRSS. */
  method: string;
}

/**
 * Measures the peak memory of some processes over a window: VmHWM is reset at the start (so it
 * holds the peak of this window only) and VmRSS is sampled every `intervalMs` as a fallback where
 * the reset is not allowed. Each process's peak is the larger of the two.
 */
export function watchPeakRss(
  processes: readonly { name: string; pid: number }[],
  intervalMs = 20,
): { stop(): PeakRss } {
  const reset = processes.map((p) => resetPeakRss(p.pid));
  const sampled = processes.map((p) => procStatusKb(p.pid, 'VmRSS') ?? 0);
  const timer = setInterval(() => {
    processes.forEach((p, i) => {
      sampled[i] = Math.max(sampled[i]!, procStatusKb(p.pid, 'VmRSS') ?? 0);
    });
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const perProcess = processes.map((p, i) => {
        const hwm = reset[i] ? (procStatusKb(p.pid, 'VmHWM') ?? 0) : 0;
        const rss = procStatusKb(p.pid, 'VmRSS') ?? 0;
        return { name: p.name, peakMb: Math.max(hwm, sampled[i]!, rss) / 1024 };
      });
      return {
        totalMb: perProcess.reduce((sum, p) => sum + p.peakMb, 0),
        perProcess,
        method: reset.every(Boolean) ? 'VmHWM (reset per run)' : `VmRSS sampled every ${intervalMs} ms`,
      };
    },
  };
}
