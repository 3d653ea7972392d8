// Everything that shows the current numbers, drawn again after each answer.

import { announce } from '../kit/dom.js';
import { t } from '../kit/i18n.js';
import { page } from './context.js';
import { fmtShare } from './format.js';
import {
  renderTotals, renderTable, renderChart, renderScenarioCsv, scenarioResult,
} from './table.js';
import { renderLegend, pushDistricts } from './overlay.js';
import { renderScenarioStatus } from './scenario.js';
import { renderPlace } from './drill.js';
import { viewMessage } from './levels.js';
import { openAtExplanation, openAtCounts } from './open-at.js';
import { renderDistribution } from './distribution.js';
import { renderAreas } from './areas.js';

let lastAnnounced = '';

export function renderAll() {
  renderPlace();
  renderTotals();
  renderTable();
  renderDistribution();
  renderChart();
  renderScenarioCsv();
  renderScenarioStatus();
  renderAreas();
  renderLegend();
  pushDistricts();
  if (!page.coverage) return;
  const explained = openAtExplanation();
  const msg = [(page.scenario && scenarioResult()) || t('results.announce', { share: fmtShare(page.coverage.total.share) }), explained, openAtCounts()]
    .filter(Boolean).join(' ');
  if (page.viewChanged) {
    // The level or the drill-down changed: what is shown now, then its coverage.
    page.viewChanged = false;
    announce(`${viewMessage()} ${msg}`, 30);
    lastAnnounced = msg;
  } else if (msg !== lastAnnounced) {
    if (lastAnnounced) announce(msg, 30);
    lastAnnounced = msg;
  }
}
