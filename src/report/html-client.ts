/**
 * The browser script of report.html: charts (Chart.js, inlined beside it), the sortable samples
 * table and the per-sample drill-down. Plain ES2017 in a string; it reads the data from the
 * JSON script tag with id "report-data".
 */
export const REPORT_CLIENT_JS = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];
  var variants = data.variants.map(function (v) { return v.variant; });
  function color(i) { return PALETTE[i % PALETTE.length]; }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function pct(x) { return x === null || x === undefined ? '–' : (x * 100).toFixed(1) + '%'; }
  function num(x) { return x === null || x === undefined ? '–' : Math.round(x).toLocaleString('en-US'); }
  function usd(x) {
    if (x === null || x === undefined) return '–';
    if (x === 0) return '$0.00';
    if (Math.abs(x) >= 1) return '$' + x.toFixed(2);
    if (Math.abs(x) >= 0.01) return '$' + x.toFixed(4);
    return '$' + x.toPrecision(3);
  }
  function ms(x) { if (x === null || x === undefined) return '–'; return x < 1000 ? Math.round(x) + 'ms' : (x / 1000).toFixed(1) + 's'; }

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 11;

  function lineChart(id, datasets, yTitle, extra) {
    var options = {
      parsing: false,
      interaction: { mode: 'nearest', intersect: false },
      scales: { x: { type: 'linear', ticks: { precision: 0 }, title: { display: true, text: 'turn' } }, y: { title: { display: true, text: yTitle }, beginAtZero: true } },
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } }
    };
    if (extra) extra(options);
    return new Chart(document.getElementById(id), { type: 'line', data: { datasets: datasets }, options: options });
  }
  function series(points, key) {
    return points.filter(function (p) { return p[key] !== null; }).map(function (p) { return { x: p.turn, y: p[key] }; });
  }
  var tokenSets = [], hitSets = [], cumSets = [], byteSets = [];
  variants.forEach(function (name, i) {
    var pts = data.by_turn[name] || [];
    var c = color(i);
    tokenSets.push({ label: name + ' input', data: series(pts, 'mean_input'), borderColor: c, backgroundColor: c, pointRadius: 0 });
    tokenSets.push({ label: name + ' cached', data: series(pts, 'mean_cached'), borderColor: c, backgroundColor: c, borderDash: [5, 4], pointRadius: 0 });
    hitSets.push({ label: name, data: series(pts, 'hit_rate'), borderColor: c, backgroundColor: c, pointRadius: 0 });
    cumSets.push({ label: name + ' sent', data: series(pts, 'cum_input'), borderColor: c, backgroundColor: c, pointRadius: 0 });
    cumSets.push({ label: name + ' uncached', data: series(pts, 'cum_uncached'), borderColor: c, backgroundColor: c, borderDash: [5, 4], pointRadius: 0 });
    byteSets.push({ label: name, data: series(pts, 'cum_bytes'), borderColor: c, backgroundColor: c, pointRadius: 0 });
  });
  lineChart('chart-tokens', tokenSets, 'tokens per request (mean)');
  lineChart('chart-hit', hitSets, 'cache hit rate', function (o) { o.scales.y.max = 1; o.scales.y.ticks = { callback: function (v) { return Math.round(v * 100) + '%'; } }; });
  lineChart('chart-cum', cumSets, 'cumulative tokens (mean sample)');
  lineChart('chart-bytes', byteSets, 'cumulative bytes sent (mean sample)');

  new Chart(document.getElementById('chart-cost'), {
    type: 'bar',
    data: { labels: variants, datasets: [{ label: 'cost (USD)', data: data.variants.map(function (v) { return v.cost_usd; }), backgroundColor: variants.map(function (_, i) { return color(i); }) }] },
    options: { plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (ctx) { return usd(ctx.raw); } } } }, scales: { y: { beginAtZero: true, title: { display: true, text: 'USD' } } } }
  });

  // Pass rate bars with Wilson interval whiskers drawn by a small plugin.
  var whiskers = {
    id: 'whiskers',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx, meta = chart.getDatasetMeta(0), y = chart.scales.y;
      ctx.save(); ctx.strokeStyle = '#111'; ctx.lineWidth = 1.5;
      meta.data.forEach(function (bar, i) {
        if (data.variants[i].pass_rate === null) return; // nothing scored: no bar, no interval
        var ci = data.variants[i].pass_ci; var x = bar.x;
        ctx.beginPath();
        ctx.moveTo(x, y.getPixelForValue(ci.lo)); ctx.lineTo(x, y.getPixelForValue(ci.hi));
        ctx.moveTo(x - 6, y.getPixelForValue(ci.lo)); ctx.lineTo(x + 6, y.getPixelForValue(ci.lo));
        ctx.moveTo(x - 6, y.getPixelForValue(ci.hi)); ctx.lineTo(x + 6, y.getPixelForValue(ci.hi));
        ctx.stroke();
      });
      ctx.restore();
    }
  };
  new Chart(document.getElementById('chart-pass'), {
    type: 'bar',
    data: { labels: variants, datasets: [{ label: 'pass rate', data: data.variants.map(function (v) { return v.pass_rate; }), backgroundColor: variants.map(function (_, i) { return color(i) + '99'; }) }] },
    options: {
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (ctx) { var ci = data.variants[ctx.dataIndex].pass_ci; return ctx.raw === null ? 'n/a (not scored)' : pct(ctx.raw) + ' (95% CI ' + pct(ci.lo) + '–' + pct(ci.hi) + ')'; } } } },
      scales: { y: { min: 0, max: 1, ticks: { callback: function (v) { return Math.round(v * 100) + '%'; } } } }
    },
    plugins: [whiskers]
  });

  var tp = data.throughput;
  if (tp && tp.buckets.length > 0 && document.getElementById('chart-throughput')) {
    var tpSets = [
      { type: 'bar', label: 'requests/s', data: tp.buckets.map(function (b) { return { x: b.t, y: b.requests / tp.bucket_s }; }), backgroundColor: '#2563eb66', borderColor: '#2563eb', yAxisID: 'y' },
      { type: 'line', label: '429s/s', data: tp.buckets.map(function (b) { return { x: b.t, y: b.rate_limited / tp.bucket_s }; }), borderColor: '#dc2626', backgroundColor: '#dc2626', pointRadius: 0, yAxisID: 'y' }
    ];
    tp.limits.forEach(function (l, i) {
      var c = color(i + 2);
      tpSets.push({ type: 'line', label: 'limit ' + l.endpoint, data: l.steps.map(function (s) { return { x: s.t, y: s.limit }; }), stepped: 'before', borderColor: c, backgroundColor: c, pointRadius: 0, yAxisID: 'y2' });
    });
    new Chart(document.getElementById('chart-throughput'), {
      data: { datasets: tpSets },
      options: {
        parsing: false,
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'seconds since the first request' } },
          y: { beginAtZero: true, title: { display: true, text: 'per second' } },
          y2: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, ticks: { precision: 0 }, title: { display: true, text: 'requests allowed in flight' } }
        },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } }
      }
    });
  }

  if (data.history && data.history.length > 1 && document.getElementById('chart-history')) {
    var runs = data.history.map(function (h) { return h.run_id; });
    var names = [];
    data.history.forEach(function (h) { h.variants.forEach(function (v) { if (names.indexOf(v.variant) < 0) names.push(v.variant); }); });
    new Chart(document.getElementById('chart-history'), {
      type: 'line',
      data: { labels: runs, datasets: names.map(function (n, i) {
        return { label: n + ' hit rate', borderColor: color(i), backgroundColor: color(i), data: data.history.map(function (h) {
          var v = h.variants.filter(function (x) { return x.variant === n; })[0]; return v ? v.cache_hit_rate : null; }) };
      }) },
      options: { scales: { y: { min: 0, max: 1 } }, plugins: { legend: { position: 'bottom' } } }
    });
  }

  // Samples table: click a header to sort, type to filter, click a row for the drill-down.
  var COLS = [
    ['sample_id', 'sample', 'l'], ['task_id', 'task', 'l'], ['variant', 'variant', 'l'], ['epoch', 'epoch'],
    ['status', 'status', 'l'], ['passed', 'passed'], ['turns', 'turns'], ['input_tokens', 'input'],
    ['cached_tokens', 'cached'], ['cache_hit_rate', 'hit rate'], ['output_tokens', 'output'],
    ['compactions', 'compactions'], ['cache_breaks', 'breaks'], ['cost_usd', 'cost'], ['wall_ms', 'wall']
  ];
  var MAX_ROWS = 1000;
  var sortKey = 'sample_id', sortDir = 1, filter = '';
  var table = document.getElementById('samples');
  var thead = el('thead'), tbody = el('tbody'), headRow = el('tr');
  COLS.forEach(function (c) {
    var th = el('th', { 'class': 'sortable' + (c[2] ? ' l' : ''), 'data-key': c[0] }, c[1]);
    th.addEventListener('click', function () {
      if (sortKey === c[0]) sortDir = -sortDir; else { sortKey = c[0]; sortDir = 1; }
      renderRows();
    });
    headRow.appendChild(th);
  });
  thead.appendChild(headRow); table.appendChild(thead); table.appendChild(tbody);
  function cell(s, key) {
    var v = s[key];
    if (key === 'passed') return v === null ? '–' : v ? 'pass' : 'fail';
    if (key === 'cache_hit_rate') return pct(v);
    if (key === 'cost_usd') return usd(v);
    if (key === 'wall_ms') return ms(v);
    if (typeof v === 'number') return num(v);
    return v === null ? '–' : v;
  }
  function compare(a, b) {
    var x = a[sortKey], y = b[sortKey];
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : 1) * sortDir;
  }
  function renderRows() {
    Array.prototype.forEach.call(headRow.children, function (th) {
      th.classList.remove('sorted-asc', 'sorted-desc');
      if (th.getAttribute('data-key') === sortKey) th.classList.add(sortDir > 0 ? 'sorted-asc' : 'sorted-desc');
    });
    var rows = data.samples.filter(function (s) { return !filter || (s.sample_id + ' ' + s.task_id + ' ' + s.variant + ' ' + s.status).toLowerCase().indexOf(filter) >= 0; });
    rows.sort(compare);
    tbody.textContent = '';
    rows.slice(0, MAX_ROWS).forEach(function (s) {
      var tr = el('tr', { 'class': 'sample', 'data-sample': s.sample_id });
      COLS.forEach(function (c) {
        var td = el('td', c[2] ? { 'class': 'l' } : null, cell(s, c[0]));
        if (c[0] === 'passed' && s.passed !== null) td.className = s.passed ? 'pass' : 'fail';
        tr.appendChild(td);
      });
      tr.addEventListener('click', function () { showSample(s); });
      tbody.appendChild(tr);
    });
    document.getElementById('samples-count').textContent = rows.length > MAX_ROWS
      ? 'showing ' + MAX_ROWS + ' of ' + rows.length + ' samples (sort or filter to see others)'
      : rows.length + ' samples';
  }
  document.getElementById('filter').addEventListener('input', function (e) { filter = e.target.value.toLowerCase(); renderRows(); });

  function showSample(s) {
    Array.prototype.forEach.call(tbody.children, function (tr) { tr.classList.toggle('selected', tr.getAttribute('data-sample') === s.sample_id); });
    var box = document.getElementById('drilldown');
    box.textContent = '';
    box.appendChild(el('h3', null, s.sample_id));
    box.appendChild(el('p', { 'class': 'muted' }, s.task_id + ' · ' + s.variant + ' · epoch ' + s.epoch + ' · ' + s.status +
      (s.passed === null ? '' : s.passed ? ' · passed' : ' · failed') + (s.error ? ' · ' + s.error : '')));
    var turns = data.drilldown[s.sample_id];
    if (!turns) { box.appendChild(el('p', { 'class': 'note' }, 'Turns of this sample are not included in this report (large run); see turns.csv.')); return; }
    var t = el('table', { 'class': 'turns' });
    var hr = el('tr');
    ['turn', 'kind', 'input', 'cached', 'hit', 'writes', 'output', 'bytes', 'latency', 'class', 'reason', 'lost', 'detail'].forEach(function (h, i) {
      hr.appendChild(el('th', i === 1 || i >= 9 ? { 'class': 'l' } : null, h));
    });
    var th = el('thead'); th.appendChild(hr); t.appendChild(th);
    var tb = el('tbody');
    turns.forEach(function (r) {
      var cls = [];
      if (r.reason && !r.after_compaction && r.reason !== 'compacted') cls.push('break');
      if (r.compaction || r.after_compaction) cls.push('compaction');
      var tr = el('tr', { 'class': cls.join(' ') });
      var reason = r.reason || '';
      if (r.compaction) reason = 'compaction (' + r.compaction.method + ': ' + num(r.compaction.tokens_before) + ' → ' + num(r.compaction.tokens_after) + ')';
      [r.turn, r.kind, num(r.input_tokens), num(r.cached_tokens), pct(r.hit_rate), num(r.cache_write_tokens), num(r.output_tokens),
        num(r.bytes_sent), ms(r.latency_ms), r.cache_class, reason, num(r.lost_tokens), r.detail || ''].forEach(function (v, i) {
        tr.appendChild(el('td', i === 1 || i >= 9 ? { 'class': 'l' } : null, v));
      });
      tb.appendChild(tr);
    });
    t.appendChild(tb);
    box.appendChild(t);
  }
  renderRows();
  document.body.setAttribute('data-ready', 'true');
})();
`;
