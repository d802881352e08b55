/** A failure the office reports to whoever started it in one line (a bad config, a taken id), not a bug. */
export class OfficeError extends Error {
  constructor(
    readonly code: 'config-invalid' | 'config-unreadable' | 'data-dir-locked' | 'locker-exists' | 'unknown-locker' | 'key-invalid' | 'migration-failed' | 'bad-input',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OfficeError';
  }
}
