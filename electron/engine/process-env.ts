/**
 * How a process that hosts capture sessions is started (the app's engine process, the bench's
 * probe). These settings are read at process start only, so they are given at spawn.
 *
 * MALLOC_MMAP_THRESHOLD_: glibc's malloc raises its mmap threshold to the size of each large block
 * freed (up to 32 MiB); after the first transferred batch is freed, batches, transaction parts and
 * spilled chunks come from heap arenas instead, whose freed space stays resident. A fixed
 * threshold keeps large blocks mapped on their own and returned when freed: peak RSS of the bench
 * capture's pass 293 → 245 MB, pass time unchanged. 64 KiB: every column chunk (64K rows of one
 * byte or more) and every slab is then a mapping of its own, so the chunks a filter or an export
 * reads back from the spill and lets go leave no holes in an arena (bench capture, with
 * MALLOC_ARENA_MAX below, four runs: deep filter's peak 123–128 MB, export's 116–124; at 256 KiB,
 * six runs: 123–147 and 113–159). The pass was as fast in five alternating probe runs (it reuses
 * its buffers). Other C libraries ignore it.
 *
 * MALLOC_ARENA_MAX=1: one malloc arena for every thread. With glibc's default (an arena per thread,
 * up to 8 per core), the work after the pass often peaked higher each time, a filter, then an
 * export, then a packet read, by up to 20 MB (bench capture, four runs each: export 130–161 MB,
 * packet 105–165, against 116–124 and 102–108 with one arena); the likely cause, not pinned down,
 * is free space left in the arenas of the pass's threads. Those threads allocate little with
 * malloc (their buffers are reused), and the pass was as fast.
 *
 * --max-semi-space-size=2: a small young generation, so the session's thread collects often and the
 * buffers it received and spilled are freed soon after they die (V8's default let the bench peak
 * reach 248–254 MB; 1 MB gave 224–232 MB before later savings). A V8 flag is process-wide and
 * overrides a worker's resourceLimits: the pass workers get it too, and their scavenging is what
 * it costs. 1 MB doubled the workers' collection time; 2 MB: bench pass 4.2–4.3 → 3.9–4.1 s and
 * deep filter 4.0 → 3.4–3.6 s for the same peak (144–150 MB).
 *
 * --expose-gc: lets the session ask for a major collection each time it has let go of 4 MiB of
 * buffers (GcPacer): their memory lives outside the JS heap, and V8 alone collected it only after
 * it had grown by ~60 MB. Bench peak 216–222 → 167–175 MB (with the smaller report garbage of the
 * workers), for ~0.2 s of collection per million packets, asked for as async tasks.
 *
 * --no-parallel-scavenge: V8 splits each young-generation collection over helper threads, but during
 * the pass every core already runs a worker (one per core), so the helpers only take turns with
 * them; each worker collects on its own thread instead. Bench pass 4.05–4.25 → 3.6–3.9 s (2
 * cores), pass CPU −0.5 s, peak unchanged.
 */
export const ENGINE_PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: String(64 * 1024), MALLOC_ARENA_MAX: '1' };
export const ENGINE_PROCESS_ARGS: readonly string[] = ['--max-semi-space-size=2', '--no-parallel-scavenge', '--expose-gc'];
