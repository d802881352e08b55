import { button, h } from './dom.js';

export interface FieldSpec {
  id: string;
  label: string;
  /** Characters the field takes; everything else typed or pasted is dropped. */
  allowed: RegExp;
  maxLength: number;
  /** Full: the keypad moves on to the next field by itself. */
  fullLength?: number;
  secret?: boolean;
  value?: string;
}

export interface KeypadOptions {
  fields: FieldSpec[];
  /** Keys besides the digits (a staff id's letters). */
  extraKeys?: string[];
  submitLabel: string;
  cancelLabel: string;
  backspaceLabel: string;
  clearLabel: string;
  backspaceAria: string;
  /** A message saying what is missing, or undefined when the values can be sent. */
  validate(values: Record<string, string>): string | undefined;
  onSubmit(values: Record<string, string>): void;
  onCancel(): void;
  onKey(): void;
}

/**
 * Fields with a large on-screen keypad under them. A physical keypad or keyboard types into the focused
 * field as usual; the on-screen keys type into the field last focused. The fields never open the system's
 * own on-screen keyboard (inputmode none).
 */
export function keypadForm(o: KeypadOptions): HTMLElement {
  const inputs = o.fields.map((f) => {
    const input = h('input', {
      id: f.id, name: f.id, type: f.secret === true ? 'password' : 'text', inputmode: 'none', autocomplete: 'off',
      autocapitalize: 'off', spellcheck: 'false', maxlength: f.maxLength, value: f.value ?? '', class: 'field',
    });
    return { spec: f, input };
  });
  let active = 0;
  const error = h('p', { class: 'form-error', id: 'form-error', role: 'alert' });
  const values = (): Record<string, string> => Object.fromEntries(inputs.map((x) => [x.spec.id, x.input.value]));

  const submit = (): void => {
    const problem = o.validate(values());
    error.textContent = problem ?? '';
    if (problem === undefined) o.onSubmit(values());
  };
  const moveOnIfFull = (i: number): void => {
    const f = inputs[i]!;
    if (f.spec.fullLength !== undefined && f.input.value.length >= f.spec.fullLength && i + 1 < inputs.length) {
      active = i + 1;
      inputs[active]!.input.focus();
    }
  };

  inputs.forEach((x, i) => {
    x.input.addEventListener('focus', () => { active = i; });
    x.input.addEventListener('input', () => {
      const clean = [...x.input.value].filter((c) => x.spec.allowed.test(c)).join('').slice(0, x.spec.maxLength);
      if (clean !== x.input.value) x.input.value = clean;
      error.textContent = '';
      moveOnIfFull(i);
    });
    x.input.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      if (i + 1 < inputs.length && x.input.value === '') return;
      if (i + 1 < inputs.length && o.validate(values()) !== undefined && inputs[i + 1]!.input.value === '') inputs[i + 1]!.input.focus();
      else submit();
    });
  });

  const press = (key: string): void => {
    o.onKey();
    const x = inputs[active]!;
    if (key === 'backspace') x.input.value = x.input.value.slice(0, -1);
    else if (key === 'clear') x.input.value = '';
    else if (x.spec.allowed.test(key) && x.input.value.length < x.spec.maxLength) x.input.value += key;
    error.textContent = '';
    moveOnIfFull(active);
  };

  const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
  const pad = h('div', { class: 'keypad', role: 'group' },
    digits.map((k) => button(k, () => press(k), { cls: 'key' })),
    button(o.clearLabel, () => press('clear'), { cls: 'key key-wide' }),
    button('0', () => press('0'), { cls: 'key' }),
    button(o.backspaceLabel, () => press('backspace'), { cls: 'key key-wide', aria: o.backspaceAria }),
    (o.extraKeys ?? []).map((k) => button(k, () => press(k), { cls: 'key' })),
  );

  return h('form', { class: 'keypad-form', onsubmit: (e: Event) => { e.preventDefault(); submit(); } },
    h('div', { class: 'fields' }, inputs.map((x) => h('label', { class: 'field-label', for: x.spec.id }, x.spec.label, x.input))),
    error,
    pad,
    h('div', { class: 'actions' },
      button(o.cancelLabel, o.onCancel, { id: 'cancel' }),
      button(o.submitLabel, submit, { primary: true, id: 'submit' }),
    ),
  );
}

/** Puts the caret in the first empty field (or the first one). */
export function focusFirstEmpty(form: HTMLElement): void {
  const fields = [...form.querySelectorAll<HTMLInputElement>('input.field')];
  (fields.find((f) => f.value === '') ?? fields[0])?.focus();
}
