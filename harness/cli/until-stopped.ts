/**
 * Waits for the stop signal with the process held open. A command that runs "until Ctrl-C" must not end because
 * nothing else is open for a while (a pulled UART, a broker reconnecting): every timer on a clock is unref'd.
 */
export async function untilStopped(waitForStop: () => Promise<string>): Promise<string> {
  const hold = setInterval(() => undefined, 2 ** 30);
  try {
    return await waitForStop();
  } finally {
    clearInterval(hold);
  }
}
