/** `T` with its readonly fields writable: for the engine's objects refilled in place (one per table, session or stream). */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
