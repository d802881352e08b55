/**
 * JSON schemas of the integration API (contracts.md §7.3), checked by Fastify's validator with
 * `removeAdditional` off: an unknown field is a 400, never silently dropped. The phone is only required to be
 * a string here: its format is the business rule answered 422 `invalid-phone`.
 */
const str = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;

export const registerBody = {
  type: 'object',
  additionalProperties: false,
  required: ['lockerId', 'caseRef', 'documentType', 'phone', 'size', 'consent', 'feeSettled'],
  properties: {
    lockerId: str(128),
    caseRef: str(200),
    documentType: str(128),
    phone: { type: 'string', maxLength: 40 },
    size: { type: 'string', enum: ['S', 'M', 'L'] },
    accessible: { type: 'boolean', default: false },
    consent: { type: 'boolean' },
    feeSettled: { type: 'boolean' },
  },
} as const;

export const revokeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: str(200) },
} as const;

export const deadlineBody = {
  type: 'object',
  additionalProperties: false,
  required: ['expiresAt'],
  properties: { expiresAt: { type: 'string', minLength: 20, maxLength: 40 } },
} as const;

export const staffBody = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'pin'],
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    name: str(200),
    pin: { type: 'string', maxLength: 32 },
    roles: { type: 'array', maxItems: 10, items: { type: 'string', enum: ['loader', 'retriever', 'supervisor'] }, default: ['loader'] },
  },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: str(128) },
} as const;

const documentView = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'status', 'lockerId', 'expiresAt'],
  properties: {
    id: { type: 'string' },
    status: { type: 'string' },
    lockerId: { type: 'string' },
    expiresAt: { type: 'string' },
    compartment: { type: 'integer' },
    collectedAt: { type: 'string' },
    receiptId: { type: 'string' },
  },
} as const;

// retryAfterS: the 429 of the authentication-failure limit (auth-failures.ts); a property left out here is dropped from the answer.
const error = { type: 'object', required: ['error'], properties: { error: { type: 'string' }, status: { type: 'string' }, retryAfterS: { type: 'integer' } } } as const;

export const responses = {
  registered: { 201: { type: 'object', required: ['id', 'status', 'expiresAt'], properties: { id: { type: 'string' }, status: { type: 'string' }, expiresAt: { type: 'string' } } }, '4xx': error },
  document: { 200: documentView, '4xx': error },
  status: { 200: { type: 'object', required: ['status'], properties: { status: { type: 'string' } } }, '4xx': error },
  staff: { '2xx': { type: 'object', required: ['id', 'active'], properties: { id: { type: 'string' }, active: { type: 'boolean' }, lockers: { type: 'integer' } } }, '4xx': error },
  locker: {
    200: {
      type: 'object',
      required: ['id', 'name', 'lastPullAt', 'cursor', 'eventsThrough', 'openAlarms'],
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        lastPullAt: { type: ['string', 'null'] },
        cursor: { type: 'integer' },
        eventsThrough: { type: 'integer' },
        lastEventAt: { type: ['string', 'null'] },
        feedHead: { type: 'integer' },
        openAlarms: {
          type: 'array',
          items: { type: 'object', properties: { kind: { type: 'string' }, compartment: { type: ['integer', 'null'] }, at: { type: 'string' }, seq: { type: 'integer' } } },
        },
      },
    },
    '4xx': error,
  },
} as const;
