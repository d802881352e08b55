import { post, screenInfo, type ListItem, type ScreenInfo } from './api-client.js';
import { button, h } from './dom.js';
import { messages, type Lang, type Messages } from './i18n.js';
import { info, outOfService } from './info-screens.js';
import { connectLive, type PickupProgress } from './live.js';
import * as resident from './resident-screens.js';
import { listenForScans } from './scanner.js';
import { cue, type Cue } from './sound.js';
import { staffFault, staffHome, staffLogin, staffOpen, type StaffActions } from './staff-screens.js';
import type { Screen, Ui, View } from './ui.js';

/** Screens where a resident types or reads at their own pace: they return to the start when left alone. */
const residentIdleViews = new Set<View['name']>(['enter', 'problem', 'info', 'done', 'welcome']);
const staffIdleViews = new Set<View['name']>(['staffLogin', 'staffHome', 'staffFault']);
/** Screens a resident can start a pickup from (by scanning a QR code). */
const scanViews = new Set<View['name']>(['welcome', 'enter', 'problem', 'info', 'done']);

/**
 * The kiosk page: one view at a time, chosen by the resident's or staff member's touches, the API's answers,
 * and the live events from the daemon. Nothing here decides anything the daemon has not said.
 */
class Kiosk implements Ui {
  lang: Lang = 'pl';
  t: Messages = messages.pl;
  info!: ScreenInfo;
  private view: View = { name: 'welcome' };
  private mode = 'inService';
  private readonly session = randomId();
  private readonly compartments = new Map<number, string>();
  private staff: { token: string; id: string } | undefined;
  private idleTimer: number | undefined;

  async start(): Promise<void> {
    // The kiosk unit opens `/?kiosk=1`: a touch screen shows no mouse pointer, whatever the compositor does.
    if (new URLSearchParams(location.search).has('kiosk')) document.documentElement.classList.add('kiosk');
    this.info = await screenInfo();
    this.mode = this.info.mode;
    connectLive(this.session, {
      mode: (m) => this.modeChanged(m),
      compartments: (all) => all.forEach((c) => this.compartments.set(c.id, c.state)),
      compartment: (c) => this.compartmentChanged(c),
      pickup: (p) => this.pickupProgress(p),
      connection: (up) => { document.body.dataset.live = up ? 'up' : 'down'; },
    });
    listenForScans((text) => this.scanned(text));
    const touched = (): void => this.armIdle();
    document.addEventListener('pointerdown', touched, true);
    document.addEventListener('keydown', touched, true);
    window.setInterval(() => this.tick(), 1000);
    this.go({ name: 'welcome' });
  }

  go(view: View): void {
    if (view.name === 'welcome' && this.mode === 'outOfService') view = { name: 'outOfService' };
    this.view = view;
    this.render();
    this.armIdle();
  }

  cue(kind: Cue): void {
    cue(kind, this.info.sound);
  }

  private setLang(lang: Lang): void {
    this.lang = lang;
    this.t = messages[lang];
    this.render();
  }

  private render(): void {
    const s = this.screen();
    document.documentElement.lang = this.lang;
    document.title = `${this.t.appName} · ${this.info.lockerId}`;
    document.body.dataset.view = this.view.name;
    const footer = s.footer === true ? h('nav', { class: 'footer', 'aria-label': this.t.appName },
      h('button', { type: 'button', class: 'btn', id: 'lang', lang: this.lang === 'pl' ? 'en' : 'pl', 'aria-label': this.t.switchLangLabel, onclick: () => this.setLang(this.lang === 'pl' ? 'en' : 'pl') }, this.t.switchLang),
      button(this.t.info, () => this.go({ name: 'info' }), { id: 'info' }),
      button(this.t.staffEntry, () => this.go({ name: 'staffLogin' }), { id: 'staff' })) : null;
    document.getElementById('app')!.replaceChildren(
      h('header', { class: 'top' }, h('span', { class: 'brand' }, this.t.appName), h('span', { class: 'office' }, this.info.officeName)),
      h('main', { class: 'upper', id: 'upper' }, s.upper),
      h('section', { class: 'lower', id: 'lower', 'aria-labelledby': 'title' }, h('div', { class: 'controls' }, s.lower), footer),
    );
    document.getElementById('title')?.focus();
  }

  private screen(): Screen {
    const v = this.view;
    switch (v.name) {
      case 'welcome': return resident.welcome(this);
      case 'enter': return resident.enter(this, (phone, code) => void this.pickup({ phone, code }));
      case 'checking': return resident.checking(this);
      case 'opening': return resident.opening(this, v.compartment);
      case 'open': return resident.open(this, v.compartment, false);
      case 'reminding': return resident.open(this, v.compartment, true);
      case 'done': return resident.done(this, v.receipt);
      case 'problem': return resident.problem(this, v, Date.now());
      case 'info': return info(this);
      case 'outOfService': return outOfService(this);
      case 'staffLogin': return staffLogin(this, v, this.staffActions);
      case 'staffHome': return staffHome(this, v, this.staff?.id ?? '', this.staffActions);
      case 'staffOpen': return staffOpen(this, v);
      case 'staffFault': return staffFault(this, this.staffActions);
    }
  }

  // ---- residents ----

  private scanned(text: string): void {
    if (scanViews.has(this.view.name)) void this.pickup({ qr: text });
  }

  private async pickup(body: { phone: string; code: string } | { qr: string }): Promise<void> {
    this.go({ name: 'checking' });
    const r = await post('/api/pickup', body, { 'x-kiosk-session': this.session });
    const problem = resident.problemOf(r.status, r.body);
    if (problem === undefined) {
      const n = Number(r.body.compartment);
      if (!this.showsDoor(n)) this.go({ name: 'open', compartment: n });
      this.cue('opened');
      return;
    }
    if (problem === 'failed' && this.mode === 'outOfService') this.go({ name: 'outOfService' });
    else this.go({ name: 'problem', problem, untilMs: Date.now() + Number(r.body.retryAfterS ?? 0) * 1000 });
    this.cue('problem');
  }

  /** The resident's own pickup, step by step, from the daemon's pickup-session machine. */
  private pickupProgress(p: PickupProgress): void {
    const v = this.view;
    const n = p.compartment;
    if (n === undefined) return;
    if (p.state === 'opening' && v.name === 'checking') this.go({ name: 'opening', compartment: n });
    else if (p.state === 'waitingForClose' && (v.name === 'checking' || v.name === 'opening')) this.go({ name: 'open', compartment: n });
    else if (p.state === 'reminding' && this.showsDoor(n)) {
      this.go({ name: 'reminding', compartment: n });
      this.cue('problem');
    } else if (p.state === 'done' && (this.showsDoor(n) || (v.name === 'opening' && v.compartment === n))) {
      this.go({ name: 'done', compartment: n, receipt: p.receipt });
      this.cue('done');
    }
  }

  private showsDoor(n: number): boolean {
    const v = this.view;
    return (v.name === 'open' || v.name === 'reminding') && v.compartment === n;
  }

  private modeChanged(mode: string): void {
    this.mode = mode;
    const v = this.view.name;
    if (mode === 'outOfService' && (v === 'welcome' || v === 'enter' || v === 'info')) this.go({ name: 'outOfService' });
    if (mode !== 'outOfService' && v === 'outOfService') this.go({ name: 'welcome' });
  }

  private compartmentChanged(c: { id: number; event: string; state: string }): void {
    this.compartments.set(c.id, c.state);
    const v = this.view;
    if (c.event === 'closed' && v.name === 'staffOpen' && v.compartment === c.id) {
      this.cue('done');
      void this.staffHome(v.purpose === 'load' ? this.t.staffLoaded(c.id) : this.t.staffRetrieved(c.id));
    }
  }

  // ---- staff ----

  private readonly staffActions: StaffActions = {
    login: (staffId, pin) => void this.staffLogin(staffId, pin),
    load: (id) => void this.staffOpen('load', id),
    retrieve: (id) => void this.staffOpen('retrieve', id),
    fault: (n) => void this.staffFault(n),
    logout: () => void this.staffLogout(),
    refresh: () => void this.staffHome(undefined),
    compartmentState: (id) => this.compartments.get(id) ?? 'fault',
  };

  private auth(): Record<string, string> {
    return { authorization: `Bearer ${this.staff?.token ?? ''}` };
  }

  private async staffLogin(staffId: string, pin: string): Promise<void> {
    const r = await post('/api/staff/session', { staffId, pin });
    if (r.status === 200) {
      this.staff = { token: String(r.body.token), id: staffId };
      await this.staffHome(undefined);
      return;
    }
    const left = Number(r.body.retryAfterS ?? 0);
    this.go({ name: 'staffLogin', message: r.status === 429 ? this.t.staffLocked(this.t.minutes(Math.floor(left / 60), left % 60)) : this.t.staffRejected });
    this.cue('problem');
  }

  private async staffHome(message: string | undefined): Promise<void> {
    const r = await post('/api/staff/lists', {}, this.auth());
    if (r.status === 401) return this.sessionExpired();
    const lists = r.body as unknown as { toLoad: ListItem[]; toRetrieve: ListItem[] };
    this.go({ name: 'staffHome', ...(message === undefined ? {} : { message }), lists });
  }

  private async staffOpen(purpose: 'load' | 'retrieve', authorizationId: string): Promise<void> {
    const r = await post(`/api/staff/${purpose}`, { authorizationId }, this.auth());
    if (r.status === 401) return this.sessionExpired();
    if (r.status === 200) {
      this.go({ name: 'staffOpen', compartment: Number(r.body.compartment), purpose });
      this.cue('opened');
      return;
    }
    this.cue('problem');
    const reason = typeof r.body.reason === 'string' ? this.t.reasons[r.body.reason] ?? r.body.reason : '';
    const busy = r.status === 409 && r.body.result === 'already-opening' ? this.t.alreadyOpening(Number(r.body.compartment)) : undefined;
    await this.staffHome(busy ?? (r.status === 409 ? this.t.noFreeCompartment : r.status === 403 ? this.t.staffRefused(reason) : this.t.staffUnavailable));
  }

  private async staffFault(n: number): Promise<void> {
    const r = await post('/api/staff/fault', { compartment: n }, this.auth());
    if (r.status === 401) return this.sessionExpired();
    await this.staffHome(r.status === 200 ? this.t.faultReported(n) : this.t.faultRefused(n));
  }

  private async staffLogout(): Promise<void> {
    if (this.staff !== undefined) await post('/api/staff/logout', {}, this.auth());
    this.staff = undefined;
    this.go({ name: 'welcome' });
  }

  private sessionExpired(): void {
    this.staff = undefined;
    this.go({ name: 'staffLogin', message: this.t.sessionExpired });
  }

  // ---- time ----

  private armIdle(): void {
    window.clearTimeout(this.idleTimer);
    const v = this.view.name;
    if (residentIdleViews.has(v) && !(v === 'welcome' && this.lang === 'pl')) {
      this.idleTimer = window.setTimeout(() => {
        this.lang = 'pl';
        this.t = messages.pl;
        this.go({ name: 'welcome' });
      }, this.info.residentIdleS * 1000);
    } else if (staffIdleViews.has(v)) {
      this.idleTimer = window.setTimeout(() => void this.staffLogout(), this.info.staffIdleS * 1000);
    }
  }

  /** The lockout's time left counts down in place (re-rendering would move the focus). */
  private tick(): void {
    const v = this.view;
    if (v.name !== 'problem' || v.problem !== 'locked') return;
    const el = document.getElementById('problem-text');
    const fresh = resident.problem(this, v, Date.now()).upper[1];
    if (el !== null && fresh instanceof HTMLElement) el.textContent = fresh.textContent;
  }
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

void new Kiosk().start();
