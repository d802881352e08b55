/**
 * One error class for the whole program, with stable codes grouped by layer.
 * Tests and callers branch on `code`, never on message text, so messages may be improved freely.
 */
export const ErrorCodes = {
  // configuration and secrets
  ConfigUnreadable: 'CONFIG_UNREADABLE',
  ConfigNotJson: 'CONFIG_NOT_JSON',
  ConfigInvalid: 'CONFIG_INVALID',
  SecretInvalid: 'SECRET_INVALID',
  // storage
  DbNewerThanCode: 'DB_NEWER_THAN_CODE',
  MigrationFailed: 'MIGRATION_FAILED',
  MigrationChanged: 'MIGRATION_CHANGED',
  MigrationFileInvalid: 'MIGRATION_FILE_INVALID',
  LayoutConflict: 'LAYOUT_CONFLICT',
  // admin client
  AdminUnreachable: 'ADMIN_UNREACHABLE',
  // hardware: transport and bus
  TransportFailed: 'TRANSPORT_FAILED',
  BusClosed: 'BUS_CLOSED',
  BusTimeout: 'BUS_TIMEOUT',
  // hardware: boards and locks
  InvalidLock: 'INVALID_LOCK',
  UnknownBoard: 'UNKNOWN_BOARD',
  UnlockRateLimited: 'UNLOCK_RATE_LIMITED',
  // hardware: GPIO
  GpioUnavailable: 'GPIO_UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class UrzError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UrzError';
    this.code = code;
  }
}

export function isUrzError(e: unknown, code?: ErrorCode): e is UrzError {
  return e instanceof UrzError && (code === undefined || e.code === code);
}

/** A failure that may pass by itself (a missed reply, a dropped connection); never true for an unlock's outcome. */
export function isRetryable(e: unknown): boolean {
  return e instanceof UrzError && (e.code === ErrorCodes.BusTimeout || e.code === ErrorCodes.BusClosed || e.code === ErrorCodes.TransportFailed);
}

/** Errors that stop the daemon before it starts: the operator must fix something, a restart will not help. */
export function isStartupFatal(e: unknown): e is UrzError {
  if (!(e instanceof UrzError)) return false;
  return (
    e.code === ErrorCodes.ConfigUnreadable ||
    e.code === ErrorCodes.ConfigNotJson ||
    e.code === ErrorCodes.ConfigInvalid ||
    e.code === ErrorCodes.SecretInvalid ||
    e.code === ErrorCodes.DbNewerThanCode ||
    e.code === ErrorCodes.MigrationChanged ||
    e.code === ErrorCodes.MigrationFileInvalid ||
    e.code === ErrorCodes.LayoutConflict
  );
}
