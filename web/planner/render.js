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

let lastAnnounced = '';

export function renderAll() {
  renderTotals();
  renderTable();
  renderChart();
  renderScenarioCsv();
  renderScenarioStatus();
  renderLegend();
  pushDistricts();
  if (!page.coverage) return;
  const msg = page.scenario ? scenarioResult() : t('results.announce', { share: fmtShare(page.coverage.total.share) });
  if (msg !== lastAnnounced) {
    if (lastAnnounced) announce(msg, 30);
    lastAnnounced = msg;
  }
}
