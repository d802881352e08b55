export type Level = 0 | 1;

export interface InputLine {
  read(): Level;
  close(): void;
}

export interface OutputLine {
  write(level: Level): void;
  close(): void;
}

/** Raw GPIO lines by BCM number. The onoff backend drives real pins; the fake one serves tests and machines without GPIO. */
export interface GpioBackend {
  readonly kind: 'onoff' | 'fake';
  input(bcmPin: number, onEdge: (level: Level) => void): InputLine;
  output(bcmPin: number): OutputLine;
}
