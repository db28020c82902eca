declare module 'async-exit-hook' {
  /** Registers a hook run on exit and on SIGINT/SIGTERM/SIGHUP; a hook taking `done` is awaited. */
  export default function exitHook(hook: ((done: () => void) => void) | (() => void)): void;
}
