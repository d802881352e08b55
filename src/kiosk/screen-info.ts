import QRCode from 'qrcode';
import type { Config } from '../config/schema.js';

/** One compartment as the screen draws it on the cabinet's front. */
export interface CompartmentView {
  readonly id: number;
  readonly size: 'S' | 'M' | 'L';
  readonly low: boolean;
}

/** What the page needs to know that only the configuration knows. Served at `GET /api/screen`. */
export interface ScreenInfo {
  readonly lockerId: string;
  readonly officeName: string;
  readonly serviceHours: Config['kiosk']['serviceHours'];
  readonly eServicesUrl: string;
  /** The e-services address as an SVG QR code. */
  readonly eServicesQr: string;
  readonly sound: Config['kiosk']['sound'];
  readonly residentIdleS: number;
  readonly staffIdleS: number;
  /** Columns left to right, compartments top to bottom. */
  readonly columns: CompartmentView[][];
}

const defaultRowsPerColumn = 4;

export async function screenInfo(config: Config): Promise<ScreenInfo> {
  const k = config.kiosk;
  const byId = new Map(config.compartments.map((c) => [c.id, c]));
  const ids = k.columns ?? chunk(config.compartments.map((c) => c.id), defaultRowsPerColumn);
  const columns = ids.map((col) => col.map((id) => {
    const c = byId.get(id)!;
    return { id, size: c.size, low: c.low === true };
  }));
  return {
    lockerId: config.lockerId,
    officeName: k.officeName,
    serviceHours: k.serviceHours,
    eServicesUrl: k.eServicesUrl,
    eServicesQr: await QRCode.toString(k.eServicesUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
    sound: k.sound,
    residentIdleS: k.residentIdleS,
    staffIdleS: k.staffIdleS,
    columns,
  };
}

function chunk<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
