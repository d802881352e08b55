/**
 * A short tone for each step (a key pressed, the compartment open, a problem), so a person who cannot see
 * the screen well still knows something happened. Silent in the quiet hours from the config, at night.
 */
export type Cue = 'key' | 'opened' | 'done' | 'problem';

const tones: Record<Cue, number[]> = { key: [880], opened: [660, 990], done: [660, 880, 1100], problem: [330, 247] };

export interface SoundConfig { enabled: boolean; quietFrom: string; quietTo: string }

let ctx: AudioContext | undefined;

export function isQuiet(cfg: SoundConfig, now: Date): boolean {
  if (!cfg.enabled) return true;
  const t = `${String(now.getHours()).padStart(2, '0')}:${String(now.getMinutes()).padStart(2, '0')}`;
  // The quiet span may cross midnight (22:00-07:00).
  return cfg.quietFrom <= cfg.quietTo ? t >= cfg.quietFrom && t < cfg.quietTo : t >= cfg.quietFrom || t < cfg.quietTo;
}

export function cue(kind: Cue, cfg: SoundConfig | undefined): void {
  const muted = cfg === undefined || isQuiet(cfg, new Date());
  // What the screen last tried to say, for the end-to-end tests and for a technician at the screen.
  document.body.dataset.cue = `${kind}${muted ? ':muted' : ''}`;
  if (muted) return;
  try {
    ctx ??= new AudioContext();
    let at = ctx.currentTime;
    for (const f of tones[kind]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = f;
      gain.gain.setValueAtTime(0.2, at);
      gain.gain.exponentialRampToValueAtTime(0.001, at + 0.15);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + 0.16);
      at += 0.17;
    }
  } catch {
    // No audio device: the screen still shows everything.
  }
}
