import type { PanelArea } from '../plugin.js';

/** Being written (issue 16). */
export const lockerPages: PanelArea = () => undefined;
