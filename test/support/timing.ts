// Small timing helpers whose timers never keep the process alive after they are done.

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** True if `p` settles (either way) within `ms`; the timer is cleared either way. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
