/** See bundle-cache.mjs: the file URL of a cached esbuild bundle of the TypeScript entry `entry` (an absolute path). */
export function bundledEntry(entry: string): Promise<URL>;
