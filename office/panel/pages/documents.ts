import type { PanelArea } from '../plugin.js';

/** Being written (issue 16). */
export const documentPages: PanelArea = () => undefined;
