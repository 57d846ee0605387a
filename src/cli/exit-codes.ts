/**
 * Exit codes of every command: 0 success, 1 invalid input, 2 usage error, 3 an outside system failed,
 * 130 stopped by a signal (the shell's code for SIGINT; SIGTERM too); 70, a bug, is set by main.ts
 * alone. A module of its own so `main.ts` starts without loading the command helpers.
 */
export const EXIT = { ok: 0, invalid: 1, usage: 2, remote: 3, interrupted: 130 } as const;
