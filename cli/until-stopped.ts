/**
 * Runs `work` with the process held open. Every timer on a clock is unref'd, so a command whose work waits on timers
 * alone for a while (a pulled UART, a broker reconnecting, a pause between two replays) would otherwise end in the
 * middle of it.
 */
export async function holdingOpen<T>(work: () => Promise<T>): Promise<T> {
  const hold = setInterval(() => undefined, 2 ** 30);
  try {
    return await work();
  } finally {
    clearInterval(hold);
  }
}

/** Waits for the stop signal (Ctrl-C) with the process held open: for commands that run until stopped. */
export const untilStopped = (waitForStop: () => Promise<string>): Promise<string> => holdingOpen(waitForStop);
