// The latest rollouts as a sortable table; a click asks the host to open that rollout's diff.
import type { RolloutRow, ViewState } from './protocol';

export function sortRows(rows: RolloutRow[], sort: ViewState['sort']): RolloutRow[] {
  const val = (r: RolloutRow): number | string => {
    if (sort.key.startsWith('part:')) return r.parts[sort.key.slice(5)] ?? -Infinity;
    const v = (r as unknown as Record<string, unknown>)[sort.key];
    return typeof v === 'number' || typeof v === 'string' ? v : typeof v === 'boolean' ? Number(v) : '';
  };
  const dir = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = val(a); const y = val(b);
    return (x < y ? -1 : x > y ? 1 : 0) * dir || a.row_id.localeCompare(b.row_id) || a.sample - b.sample;
  });
}

export function renderTable(table: HTMLTableElement, rows: RolloutRow[], sort: ViewState['sort'],
  onSort: (key: string) => void, onOpen: (r: RolloutRow) => void): void {
  const parts = [...new Set(rows.flatMap((r) => Object.keys(r.parts)))].sort();
  const cols: { key: string; title: string; cell: (r: RolloutRow) => string; num?: boolean }[] = [
    { key: 'step', title: 'step', cell: (r) => String(r.step), num: true },
    { key: 'row_id', title: 'row', cell: (r) => r.row_id },
    { key: 'sample', title: '#', cell: (r) => String(r.sample), num: true },
    { key: 'correct', title: 'ok', cell: (r) => (r.correct ? '✓' : r.clean ? '✗' : '∅') },
    { key: 'reward', title: 'reward', cell: (r) => r.reward.toFixed(3), num: true },
    ...parts.map((p) => ({ key: `part:${p}`, title: p, cell: (r: RolloutRow) => (r.parts[p] ?? 0).toFixed(3), num: true })),
    { key: 'advantage', title: 'advantage', cell: (r) => r.advantage.toFixed(3), num: true },
    { key: 'call', title: 'call', cell: (r) => r.call || '(no call parsed)' },
  ];
  const head = document.createElement('thead');
  const hr = document.createElement('tr');
  for (const c of cols) {
    const th = document.createElement('th');
    th.textContent = c.title + (sort.key === c.key ? (sort.descending ? ' ▼' : ' ▲') : '');
    th.dataset.key = c.key;
    th.tabIndex = 0;
    th.setAttribute('role', 'columnheader');
    th.setAttribute('aria-sort', sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none');
    th.addEventListener('click', () => onSort(c.key));
    th.addEventListener('keydown', (e) => { if (e.key === 'Enter') onSort(c.key); });
    hr.append(th);
  }
  head.append(hr);
  const body = document.createElement('tbody');
  for (const r of sortRows(rows, sort)) {
    const tr = document.createElement('tr');
    tr.className = r.correct ? 'pass' : 'fail';
    tr.tabIndex = 0;
    tr.title = 'Open this rollout as a diff (expected call ↔ model output)';
    tr.dataset.rollout = `${r.step}/${r.row_id}/${r.sample}`;
    for (const c of cols) {
      const td = document.createElement('td');
      td.textContent = c.cell(r);
      if (c.num) td.className = 'num';
      tr.append(td);
    }
    tr.addEventListener('click', () => onOpen(r));
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') onOpen(r); });
    body.append(tr);
  }
  table.replaceChildren(head, body);
}
