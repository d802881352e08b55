import type { ListItem, ScreenInfo } from './api-client.js';
import type { Lang, Messages } from './i18n.js';
import type { Cue } from './sound.js';

/** Why a resident's pickup did not open anything; each has its own message and next step. */
export type Problem = 'wrong' | 'locked' | 'notLoaded' | 'expired' | 'collected' | 'retrieved' | 'atCounter' | 'fee' | 'alreadyOpen' | 'failed';

/** Every screen the page can show, with what it needs. */
export type View =
  | { name: 'welcome' }
  | { name: 'enter' }
  | { name: 'checking' }
  | { name: 'opening'; compartment: number }
  | { name: 'open'; compartment: number }
  | { name: 'reminding'; compartment: number }
  | { name: 'done'; compartment: number; receipt: { id: string; svg: string } | undefined }
  | { name: 'problem'; problem: Problem; untilMs?: number }
  | { name: 'info' }
  | { name: 'outOfService' }
  | { name: 'staffLogin'; message?: string }
  | { name: 'staffHome'; message?: string; lists?: { toLoad: ListItem[]; toRetrieve: ListItem[] } }
  | { name: 'staffOpen'; compartment: number; purpose: 'load' | 'retrieve' }
  | { name: 'staffFault' };

/** A screen: what is read (upper half) and what is touched (lower half). */
export interface Screen {
  upper: (Node | string)[];
  lower: (Node | string)[];
  /** The resident footer: language, opening hours, staff entry. */
  footer?: boolean;
}

/** What screens may use of the running page. */
export interface Ui {
  readonly t: Messages;
  readonly lang: Lang;
  readonly info: ScreenInfo;
  go(view: View): void;
  cue(kind: Cue): void;
}
