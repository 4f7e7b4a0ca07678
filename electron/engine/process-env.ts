/**
 * How a process that hosts capture sessions is started (the app's engine process, the bench's
 * probe). Both settings are read at process start only, so they are given at spawn.
 *
 * MALLOC_MMAP_THRESHOLD_: glibc's malloc raises its mmap threshold to the size of each large block
 * freed (up to 32 MiB); after the first transferred batch is freed, batches, transaction parts and
 * spilled chunks come from heap arenas instead, whose freed space stays resident. A fixed
 * threshold keeps large blocks mapped on their own and returned when freed: peak RSS of the bench
 * capture's pass 293 → 245 MB, pass time unchanged. Other C libraries ignore it.
 *
 * --max-semi-space-size=1: a small young generation for the session's thread (pass workers set
 * their own), so it collects often and the buffers it received and spilled are freed soon after
 * they die: bench peak 248–254 → 224–232 MB, pass and filter times unchanged within noise.
 */
export const ENGINE_PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: String(128 * 1024) };
export const ENGINE_PROCESS_ARGS: readonly string[] = ['--max-semi-space-size=1'];
