import type { PanelArea } from '../plugin.js';

/** Being written (issue 16). */
export const staffPages: PanelArea = () => undefined;
