import { lockerPages } from './pages/lockers.js';
import { cataloguePages } from './pages/catalogue.js';
import { documentPages } from './pages/documents.js';
import type { PanelArea } from './plugin.js';
import { staffPages } from './pages/staff.js';
import { statsPages } from './pages/stats.js';

/** The panel's areas, each in its own module. */
export const panelAreas: readonly PanelArea[] = [documentPages, staffPages, cataloguePages, lockerPages, statsPages];
