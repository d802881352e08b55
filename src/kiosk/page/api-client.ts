/** The kiosk API as the page calls it (contracts.md §3), plus the screen's own endpoints. */

export interface CompartmentView { id: number; size: 'S' | 'M' | 'L'; low: boolean }

export interface ScreenInfo {
  lockerId: string;
  officeName: string;
  serviceHours: Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', string[]>;
  eServicesUrl: string;
  eServicesQr: string;
  sound: { enabled: boolean; quietFrom: string; quietTo: string };
  residentIdleS: number;
  staffIdleS: number;
  columns: CompartmentView[][];
  mode: string;
}

export interface Answer { status: number; body: Record<string, unknown> }

export interface ListItem {
  authorizationId: string;
  caseRef: string;
  documentName: { pl: string; en: string };
  size: string;
  expiresAt: string;
  compartment: number | null;
  revoked: boolean;
  accessible: boolean;
  /** Why staff must take it back or look at it (beyond expiry or revocation), if so. */
  attention: string | null;
}

export async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  try {
    const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch {
    // The daemon restarting or gone: the same answer as a locker out of service.
    return { status: 503, body: { result: 'unavailable' } };
  }
}

export async function screenInfo(): Promise<ScreenInfo> {
  const res = await fetch('/api/screen');
  return (await res.json()) as ScreenInfo;
}
