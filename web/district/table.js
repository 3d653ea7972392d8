// Tables of the profile: a caption, a row header per row (th scope=row), and the columns in
// groups, one group per district shown (this one, the one compared with, the reference). With
// more than one column in a group the header has two rows (th scope=colgroup above th
// scope=col, with matching <colgroup>s). The table scrolls inside its own box, a labelled
// region that the keyboard can reach, so that the page never scrolls sideways.
//
//   dataTable({ id, caption, rowHeader, groups: [{ key, label, cols: [{ key, label }] }],
//     rows: [{ key, label, cells: { 'main-share': { text, value, sr, className } } }] })
//
// Every cell has data-key="{group}-{col}" and data-value (the raw number; empty when none).

import { h } from '../kit/dom.js';

function headerCell(text, props) {
  return h('th', props, text);
}

/** The cell's content: visible text, and words for screen readers when they differ. */
function cellContent(cell) {
  if (!cell.sr) return [cell.text];
  return [h('span', { 'aria-hidden': 'true', textContent: cell.text }), h('span', { className: 'visually-hidden', textContent: cell.sr })];
}

export function dataTable({ id, caption, rowHeader, groups, rows, footnote }) {
  const twoRows = groups.some((g) => g.cols.length > 1);
  const captionId = `${id}-caption`;
  const colgroups = [h('colgroup', {}, h('col')), ...groups.map((g) => h('colgroup', { span: g.cols.length, className: `group-${g.key}` }))];

  let head;
  if (twoRows) {
    const top = h('tr', {},
      headerCell(rowHeader, { scope: 'col', rowSpan: 2 }),
      ...groups.map((g) => (g.cols.length > 1
        ? headerCell(g.label, { scope: 'colgroup', colSpan: g.cols.length, className: `group group-${g.key}` })
        : headerCell([g.label, h('span', { className: 'col-sub', textContent: g.cols[0].label })],
          { scope: 'col', rowSpan: 2, className: `num group-${g.key}`, dataset: { key: `${g.key}-${g.cols[0].key}` } }))));
    const second = h('tr', {}, ...groups.flatMap((g) => (g.cols.length > 1
      ? g.cols.map((c, i) => headerCell(c.label, {
        scope: 'col', className: `num group-${g.key}${i === 0 ? ' group-start' : ''}`, dataset: { key: `${g.key}-${c.key}` },
      }))
      : [])));
    head = h('thead', {}, top, second);
  } else {
    head = h('thead', {}, h('tr', {},
      headerCell(rowHeader, { scope: 'col' }),
      ...groups.map((g) => headerCell(
        g.cols[0].label ? [g.label, h('span', { className: 'col-sub', textContent: g.cols[0].label })] : g.label,
        { scope: 'col', className: `num group-${g.key}`, dataset: { key: `${g.key}-${g.cols[0].key}` } },
      ))));
  }

  const body = h('tbody', {}, rows.map((r) => h('tr', { dataset: { row: r.key } },
    h('th', { scope: 'row', textContent: r.label }),
    ...groups.flatMap((g) => g.cols.map((c, i) => {
      const key = `${g.key}-${c.key}`;
      const cell = r.cells[key] ?? { text: '', value: null };
      return h('td', {
        className: ['num', `group-${g.key}`, i === 0 ? 'group-start' : '', cell.className ?? ''].filter(Boolean).join(' '),
        dataset: { key, value: cell.value == null ? '' : String(cell.value) },
      }, ...cellContent(cell));
    })))));

  // The caption is the table's name for screen readers; the same words stand above the box,
  // where they wrap to the screen's width instead of scrolling with a wide table.
  const table = h('table', { id }, h('caption', { id: captionId, className: 'visually-hidden', textContent: caption }),
    ...colgroups, head, body);
  return h('div', { className: 'table-box' },
    h('p', { className: 'table-title', 'aria-hidden': 'true', textContent: caption }),
    h('div', { className: 'table-wrap', role: 'region', tabIndex: 0, 'aria-labelledby': captionId }, table),
    footnote ? h('p', { className: 'hint table-note', textContent: footnote }) : null);
}
