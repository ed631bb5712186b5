import cliProgress from 'cli-progress';

/** A progress bar on stderr when it is a terminal; plain lines otherwise. */
export interface Progress {
  update(value: number, fields: Record<string, string>): void;
  /** Prints a line above the bar (or as is, without one). */
  log(line: string): void;
  stop(): void;
}

export function progressBar(total: number, label: string): Progress {
  if (!process.stderr.isTTY) {
    return { update() {}, log: (line) => console.log(line), stop() {} };
  }
  const bars = new cliProgress.MultiBar(
    {
      format: `${label} {bar} {value}/{total} | loss {loss} | {accuracy} | ETA {eta_formatted}`,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = bars.create(total, 0, { loss: '…', accuracy: 'no epoch yet' });
  // Training runs synchronously, so the bar's own timer never fires: redraw by hand, at most 10×/s.
  let drawn = 0;
  const redraw = (force: boolean): void => {
    const now = Date.now();
    if (force || now - drawn >= 100) {
      drawn = now;
      bars.update();
    }
  };
  return {
    update: (value, fields) => {
      bar.update(value, fields);
      redraw(value === total);
    },
    log: (line) => {
      bars.log(`${line}\n`);
      redraw(true);
    },
    stop: () => bars.stop(),
  };
}
