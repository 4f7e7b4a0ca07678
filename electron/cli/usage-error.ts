/** A mistake in the command line: reported in one line, exit status 1 (as tshark). */
export class UsageError extends Error {}
