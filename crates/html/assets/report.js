// Caisson report: lays out the report document embedded in the page
// (script#caisson-data, format caisson-report/1) as tables and ECharts
// charts. Nothing is fetched: every input is in the page.
(function () {
  'use strict';

  var doc = JSON.parse(document.getElementById('caisson-data').textContent);
  var root = document.getElementById('report');
  var toc = document.getElementById('toc');
  // Every chart drawn, for resizing, printing and the browser test.
  var charts = [];
  window.caissonReport = { doc: doc, charts: charts };

  var PALETTE = ['#1f5f99', '#d9822b', '#2e8540', '#b42318', '#6f42c1', '#8a6d3b',
    '#0f8b8d', '#c2185b', '#5b6b7c', '#7cb342', '#3949ab', '#f4a300'];

  // ---- small helpers -------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === 'text') node.textContent = attrs[k];
        else if (k === 'class') node.className = attrs[k];
        else node.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  var whole = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
  var small = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });
  var compact = new Intl.NumberFormat('en-GB', { notation: 'compact', maximumFractionDigits: 1 });

  function num(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return '–';
    return Math.abs(v) < 100 ? small.format(v) : whole.format(v);
  }
  function short(v) {
    if (v === null || v === undefined) return '–';
    return Math.abs(v) < 1000 ? small.format(v) : compact.format(v);
  }
  // Unit counts (rounds, unit-periods, capacity units) are shown as whole
  // units: no fractions of a round. The data keeps the exact values; money
  // and rates keep num's and pct's precision.
  function units(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return '–';
    var rounded = Math.round(v);
    return whole.format(rounded === 0 ? 0 : rounded);
  }
  function shortUnits(v) {
    if (v === null || v === undefined) return '–';
    return Math.abs(v) < 1000 ? units(v) : compact.format(v);
  }
  // The formatter for a measure in `unit`: whole units for unit counts
  // ('units', 'unit-periods', ...), num for money and rates.
  function byUnit(unit) { return /^\s*unit/.test(unit || '') ? units : num; }
  function shortByUnit(unit) { return /^\s*unit/.test(unit || '') ? shortUnits : short; }
  function pct(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return '–';
    return (v * 100).toFixed(digits === undefined ? 1 : digits) + '%';
  }
  function sum(xs) { return xs.reduce(function (a, b) { return a + (b || 0); }, 0); }
  function unique(xs) {
    var seen = {}; var out = [];
    xs.forEach(function (x) { if (!seen[x]) { seen[x] = true; out.push(x); } });
    return out;
  }

  function section(id, title, caption) {
    var body = el('div', { class: 'body' });
    var s = el('section', { class: 'view', id: id }, [
      el('h2', { text: title }),
      caption ? el('p', { class: 'caption', text: caption }) : null,
      body
    ]);
    root.appendChild(s);
    toc.appendChild(el('a', { href: '#' + id, text: title }));
    return body;
  }

  // A chart container; `id` names it for the test (data-chart).
  function chart(parent, id, height, label) {
    var div = el('div', { class: 'chart', 'data-chart': id, role: 'img', 'aria-label': label });
    div.style.height = height + 'px';
    parent.appendChild(div);
    var instance = echarts.init(div, null, { renderer: 'svg' });
    charts.push({ id: id, el: div, chart: instance });
    return instance;
  }

  function draw(instance, option) {
    option.color = option.color || PALETTE;
    option.animation = false;
    option.textStyle = { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif' };
    instance.setOption(option, true);
  }

  // A <select> in a labelled control; calls onChange(value) now and on change.
  function selector(parent, label, options, onChange) {
    var select = el('select');
    options.forEach(function (o) {
      select.appendChild(el('option', { value: o.value, text: o.label }));
    });
    var wrap = el('label', {}, [label + ' ', select]);
    parent.appendChild(wrap);
    function fire() {
      var current = options.filter(function (o) { return o.value === select.value; })[0];
      wrap.setAttribute('data-current', current ? current.label : '');
      onChange(select.value);
    }
    select.addEventListener('change', fire);
    return { select: select, fire: fire };
  }

  function table(parent, headers, rows, opts) {
    opts = opts || {};
    var thead = el('thead', {}, [el('tr', {}, headers.map(function (h) {
      return el('th', { class: h.num ? 'num' : '', text: h.label });
    }))]);
    var tbody = el('tbody');
    rows.forEach(function (r) {
      var tr = el('tr', r.cls ? { class: r.cls } : {});
      r.cells.forEach(function (c, i) {
        var td = el('td', { class: headers[i].num ? 'num' : '' });
        if (c && c.nodeType) td.appendChild(c); else td.textContent = c;
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    var wrap = el('div', { class: 'table-wrap' }, [el('table', opts.cls ? { class: opts.cls } : {}, [thead, tbody])]);
    parent.appendChild(wrap);
    return wrap;
  }

  function note(parent, text) { parent.appendChild(el('p', { class: 'note', text: text })); }

  // ---- the plan's views ----------------------------------------------------

  var plan = doc.plan;
  var cur = plan && plan.currency ? ' ' + plan.currency : '';

  function summary() {
    var body = section('summary', 'Summary',
      'The plan at a glance: how the optimisation ended, its total cost and how much of what was required reached the buyers.');
    var cards = el('div', { class: 'cards' });
    function card(label, value, sub, cls) {
      cards.appendChild(el('div', { class: 'card' }, [
        el('div', { class: 'label', text: label }),
        el('div', { class: 'value' + (cls ? ' ' + cls : ''), text: value }),
        sub ? el('div', { class: 'sub', text: sub }) : null
      ]));
    }
    var statusClass = plan.status === 'optimal' ? 'status-optimal'
      : plan.status === 'feasible' ? 'status-feasible' : 'status-bad';
    card('Status', plan.status, plan.mip_gap !== null && plan.mip_gap !== undefined
      ? 'MIP gap ' + pct(plan.mip_gap, 4) + (plan.method ? ' · ' + plan.method : '')
      : (plan.method || ''), statusClass);
    card('Total cost', plan.objective === null || plan.objective === undefined ? '–' : short(plan.objective) + cur,
      plan.objective === null || plan.objective === undefined ? 'no solution' : num(plan.objective) + cur);
    plan.products.forEach(function (p) {
      card('Fill rate ' + p.product, pct(p.fill_rate), units(p.delivered) + ' of ' + units(p.required) + ' units');
    });
    var met = plan.demands.filter(function (d) { return d.fill_rate === null || d.fill_rate >= 0.9999; }).length;
    card('Demands fully met', met + ' of ' + plan.demands.length, '');
    var taken = plan.expansions.filter(function (e) { return e.fraction > 0; });
    card('Expansions taken', String(taken.length), taken.map(function (e) { return e.expansion; }).join(', '));
    var denied = plan.compliance.filter(function (c) { return !c.allowed; }).length;
    card('Denied supply pairs', denied + ' of ' + plan.compliance.length, 'facility → demand, by policy');
    var short_ = plan.contracts.filter(function (c) { return c.shortfall > 1e-9; });
    card('Contracts short', short_.length + ' of ' + plan.contracts.length,
      short_.length ? units(sum(short_.map(function (c) { return c.shortfall; }))) + ' units short' : '');
    body.appendChild(cards);
    if (plan.message) body.appendChild(el('p', { class: 'warning', text: plan.message }));
    if (!plan.with_scenario) {
      note(body, 'Built from the plan file alone: line capacities are unknown (units made are shown instead of utilisation)' +
        (plan.flow_levels.source === 'facility' ? ', and flows are shown from facilities rather than exporting states' : '') +
        '. Give the scenario too (caisson report PLAN.json --scenario SCENARIO) for the full views.');
    }
    if (short_.length) {
      body.appendChild(el('h3', { text: 'Contracts with a shortfall' }));
      table(body, [{ label: 'Contract' }, { label: 'Committed', num: true }, { label: 'Shipped', num: true },
        { label: 'Short', num: true }],
      short_.map(function (c) { return { cells: [c.contract, units(c.committed), units(c.shipped), units(c.shortfall)] }; }));
    }
  }

  function costSplit() {
    var body = section('cost', 'Cost split',
      'What the total cost is made of. Shortage is the penalty for units required but not delivered in time, a measure of unmet need rather than money spent.');
    var items = plan.cost;
    if (!items.length) { note(body, 'No cost: the plan has no solution.'); return; }
    var total = sum(items.map(function (c) { return c.value; }));
    var c = chart(body, 'cost', 280, 'Bar chart of the cost split');
    draw(c, {
      grid: { left: 100, right: 140, top: 10, bottom: 30 },
      tooltip: { trigger: 'item', formatter: function (p) {
        return esc(p.name) + ': ' + num(p.value) + cur + ' (' + pct(total ? p.value / total : 0) + ')';
      } },
      xAxis: { type: 'value', axisLabel: { formatter: short } },
      yAxis: { type: 'category', inverse: true, data: items.map(function (c) { return c.term; }) },
      series: [{
        type: 'bar', name: 'Cost', data: items.map(function (c) { return c.value; }),
        label: { show: true, position: 'right', formatter: function (p) {
          return short(p.value) + ' (' + pct(total ? p.value / total : 0) + ')';
        } }
      }]
    });
  }

  function demandViews() {
    var body = section('demand', 'Delivered vs required, and backlog',
      'Per period: units newly required, units delivered (arrived), and what is still owed at the end of the period (backlog). ' +
      'For demands whose shortage is lost rather than owed, the lost units are shown instead. Choose one demand or all demands of one end user.');
    if (!plan.demands.length) { note(body, 'The plan has no demands.'); return; }
    var controls = el('div', { class: 'controls' });
    body.appendChild(controls);
    var c = chart(body, 'demand', 340, 'Delivered, required and backlog over time');

    var choices = plan.demands.map(function (d) {
      return { value: 'd:' + d.demand, label: 'Demand ' + d.demand + ' (' + d.product + ' for ' + d.end_user + ')' };
    }).concat(plan.end_users.map(function (e, i) {
      return { value: 'e:' + i, label: 'End user ' + e.end_user + ' – ' + e.product + ' (' + e.demands.length + ' demand' + (e.demands.length > 1 ? 's' : '') + ')' };
    }));
    function show(value) {
      var s;
      if (value.charAt(0) === 'd') {
        s = plan.demands.filter(function (d) { return 'd:' + d.demand === value; })[0];
      } else {
        s = plan.end_users[Number(value.slice(2))];
      }
      var series = [
        { type: 'bar', name: 'Required (new)', data: s.required, itemStyle: { color: '#b8c7d9' } },
        { type: 'bar', name: 'Delivered', data: s.delivered, itemStyle: { color: '#1f5f99' } },
        { type: 'line', name: 'Backlog (owed)', data: s.backlog, symbol: 'none', lineStyle: { width: 2.5, color: '#b42318' }, itemStyle: { color: '#b42318' } }
      ];
      if (sum(s.lost) > 0) {
        series.push({ type: 'line', name: 'Lost', data: s.lost, symbol: 'circle', symbolSize: 4, lineStyle: { type: 'dashed', color: '#d9822b' }, itemStyle: { color: '#d9822b' } });
      }
      draw(c, {
        grid: { left: 70, right: 20, top: 40, bottom: 50 },
        legend: { top: 0 },
        tooltip: { trigger: 'axis', valueFormatter: units },
        xAxis: { type: 'category', data: plan.periods },
        yAxis: { type: 'value', name: 'units', axisLabel: { formatter: short } },
        series: series
      });
    }
    selector(controls, 'Show', choices, show).fire();

    body.appendChild(el('h3', { text: 'Every demand' }));
    table(body, [{ label: 'Demand' }, { label: 'Product' }, { label: 'Buyer' }, { label: 'End user' },
      { label: 'Required', num: true }, { label: 'Delivered', num: true }, { label: 'Fill rate', num: true },
      { label: 'Owed at end / lost', num: true }],
    plan.demands.map(function (d) {
      var end = d.backlog_kind ? units(d.backlog[d.backlog.length - 1]) : 'lost ' + units(sum(d.lost));
      return {
        cls: d.fill_rate !== null && d.fill_rate < 0.9999 ? 'bad' : '',
        cells: [d.demand, d.product, d.buyer || '–', d.end_user, units(sum(d.required)), units(sum(d.delivered)),
          pct(d.fill_rate), end]
      };
    }));
  }

  function sankey() {
    var lv = plan.flow_levels;
    var first = lv.source === 'actor' ? 'exporting state' : 'shipping facility';
    var middle = lv.middle === 'actor' ? 'buyer' : 'demand';
    var body = section('flows', 'Who supplies whom',
      'Units shipped over the horizon, from the ' + first + ' to the ' + middle + ' to the end user, for one product at a time. ' +
      'Band widths are proportional to units.');
    var products = unique(plan.flows.map(function (f) { return f.product; }));
    if (!products.length) { note(body, 'Nothing is shipped in this plan.'); return; }
    var controls = el('div', { class: 'controls' });
    body.appendChild(controls);
    var c = chart(body, 'sankey', 420, 'Sankey diagram of shipped units');
    var names = [first, middle, 'end user'];
    function show(product) {
      var flows = plan.flows.filter(function (f) { return f.product === product; });
      var nodes = {}; var links = {};
      function node(level, id) {
        var key = id + ' (' + names[level] + ')';
        if (!nodes[key]) nodes[key] = { name: key, depth: level, short: id };
        return key;
      }
      function link(a, b, q) {
        var k = a + '\u0000' + b;
        if (!links[k]) links[k] = { source: a, target: b, value: 0 };
        links[k].value += q;
      }
      flows.forEach(function (f) {
        if (!(f.quantity > 0)) return;
        var a = node(0, f.exporter); var b = node(1, f.buyer); var e = node(2, f.end_user);
        link(a, b, f.quantity); link(b, e, f.quantity);
      });
      var nodeList = Object.keys(nodes).map(function (k) { return nodes[k]; });
      var perLevel = [0, 0, 0];
      nodeList.forEach(function (n) { perLevel[n.depth] += 1; });
      var height = Math.max(320, 28 * Math.max.apply(null, perLevel) + 60);
      c.getDom().style.height = height + 'px';
      c.resize();
      draw(c, {
        tooltip: { trigger: 'item', formatter: function (p) {
          if (p.dataType === 'edge') return esc(p.data.source) + ' → ' + esc(p.data.target) + ': ' + units(p.value) + ' units';
          return esc(p.name) + ': ' + units(p.value) + ' units';
        } },
        series: [{
          type: 'sankey', name: product, left: 10, right: 160, top: 10, bottom: 10,
          nodeAlign: 'justify', layoutIterations: 32, draggable: false,
          emphasis: { focus: 'adjacency' },
          label: { formatter: function (p) { return p.data.short; } },
          lineStyle: { color: 'gradient', opacity: 0.45 },
          data: nodeList,
          links: Object.keys(links).map(function (k) { return links[k]; })
        }]
      });
    }
    var totals = {};
    plan.flows.forEach(function (f) { totals[f.product] = (totals[f.product] || 0) + f.quantity; });
    products.sort(function (a, b) { return totals[b] - totals[a]; });
    selector(controls, 'Product', products.map(function (p) {
      return { value: p, label: p + ' (' + units(totals[p]) + ' units)' };
    }), show).fire();
  }

  function utilisation() {
    var known = plan.utilisation_known;
    var body = section('lines', 'Line utilisation',
      known
        ? 'Share of each production line\u2019s capacity used in each period (capacity added by expansions included). ' +
          'Dark red cells are bottlenecks (95% or more). ▲ marks the period an expansion\u2019s capacity becomes available, ◆ the period it is decided. Blank cells: no capacity in that period.'
        : 'Units made on each production line in each period, shaded against the line\u2019s own busiest period (the plan file alone does not give capacities; give the scenario for utilisation). ▲ marks the period an expansion becomes available, ◆ the period it is decided.');
    if (!plan.lines.length) { note(body, 'The plan has no production lines.'); return; }
    var labels = plan.lines.map(function (l) { return l.facility + ' / ' + l.line; });
    var rowOf = {};
    plan.lines.forEach(function (l, i) { rowOf[l.facility + '\u0000' + l.line] = i; });
    // Without capacities, each line is scaled to its own busiest period:
    // lines make different products in different units.
    var cells = [];
    plan.lines.forEach(function (l, i) {
      var peak = Math.max.apply(null, l.used.concat([0]));
      plan.periods.forEach(function (_, t) {
        var v = known ? l.utilisation[t] : (peak > 0 ? l.used[t] / peak : 0);
        if (v === null || v === undefined) { cells.push([t, i, '-']); return; }
        cells.push([t, i, v]);
      });
    });
    var periodIndex = {};
    plan.periods.forEach(function (p, t) { periodIndex[p] = t; });
    var avail = []; var decided = [];
    plan.expansions.forEach(function (e) {
      var row = rowOf[e.facility + '\u0000' + e.line];
      if (row === undefined || !(e.fraction > 0)) return;
      var info = { e: e };
      if (periodIndex[e.available] !== undefined) avail.push({ value: [periodIndex[e.available], row], info: info });
      if (periodIndex[e.decided] !== undefined) decided.push({ value: [periodIndex[e.decided], row], info: info });
    });
    var height = Math.max(260, 20 * plan.lines.length + 120);
    var c = chart(body, 'utilisation', height, 'Heatmap of line utilisation by period');
    var visualMap = known ? {
      type: 'piecewise', seriesIndex: 0, orient: 'horizontal', left: 'center', bottom: 0,
      pieces: [
        { lte: 0, label: 'idle', color: '#eef1f4' },
        { gt: 0, lt: 0.5, label: 'under 50%', color: '#c6dbef' },
        { gte: 0.5, lt: 0.8, label: '50–80%', color: '#6baed6' },
        { gte: 0.8, lt: 0.95, label: '80–95%', color: '#2171b5' },
        { gte: 0.95, label: '95% or more', color: '#a50f15' }
      ]
    } : {
      type: 'continuous', seriesIndex: 0, min: 0, max: 1, orient: 'horizontal', left: 'center', bottom: 0,
      calculable: false, inRange: { color: ['#eef1f4', '#6baed6', '#08306b'] }, text: ['line\u2019s busiest period', 'idle']
    };
    function cellTip(p) {
      var l = plan.lines[p.value[1]]; var t = p.value[0];
      var lines = ['<b>' + esc(labels[p.value[1]]) + '</b> · ' + esc(plan.periods[t])];
      if (known) {
        lines.push('used ' + units(l.used[t]) + ' of ' + units(l.capacity[t]) + ' capacity units (' + pct(l.utilisation[t]) + ')');
      } else {
        lines.push(units(l.used[t]) + ' units made (' + pct(p.value[2], 0) + ' of the line\u2019s busiest period)');
      }
      if (l.shadow_price && l.shadow_price[t] > 0) {
        lines.push('one more capacity unit would save ' + num(l.shadow_price[t]) + cur);
      }
      return lines.join('<br>');
    }
    function expTip(p) {
      var e = p.data.info.e;
      return '<b>' + esc(e.expansion) + '</b> on ' + esc(e.facility + ' / ' + e.line) + '<br>decided ' + esc(e.decided) +
        ', available ' + esc(e.available) + (e.fraction < 1 ? ' (' + pct(e.fraction) + ' taken)' : '') +
        (e.capacity !== null && e.capacity !== undefined ? '<br>adds ' + units(e.capacity * e.fraction) + ' capacity units per period' : '');
    }
    draw(c, {
      grid: { left: 24, right: 20, top: 10, bottom: 60, containLabel: true },
      tooltip: { trigger: 'item', formatter: function (p) { return p.seriesType === 'heatmap' ? cellTip(p) : expTip(p); } },
      xAxis: { type: 'category', data: plan.periods, splitArea: { show: false } },
      yAxis: { type: 'category', data: labels, inverse: true, axisLabel: { fontSize: 11 } },
      visualMap: visualMap,
      series: [
        { type: 'heatmap', name: known ? 'Utilisation' : 'Units made', data: cells, itemStyle: { borderColor: '#fff', borderWidth: 0.5 } },
        { type: 'scatter', name: 'Expansion available', data: avail, symbol: 'triangle', symbolSize: 11,
          itemStyle: { color: '#f4a300', borderColor: '#1d2733', borderWidth: 1 }, z: 5 },
        { type: 'scatter', name: 'Expansion decided', data: decided, symbol: 'diamond', symbolSize: 9,
          itemStyle: { color: '#ffffff', borderColor: '#1d2733', borderWidth: 1 }, z: 5 }
      ]
    });
    if (plan.expansions.length) {
      body.appendChild(el('h3', { text: 'Expansion decisions' }));
      table(body, [{ label: 'Expansion' }, { label: 'Line' }, { label: 'Decided' }, { label: 'Available' },
        { label: 'Taken', num: true }, { label: 'Capacity added per period', num: true }],
      plan.expansions.map(function (e) {
        return { cells: [e.expansion, e.facility + ' / ' + e.line, e.decided, e.available, pct(e.fraction, 0),
          e.capacity === null || e.capacity === undefined ? '–' : units(e.capacity * e.fraction)] };
      }));
    }
  }

  function compliance() {
    var body = section('compliance', 'Compliance matrix',
      'Which facility may supply which demand under the export, import and end-use policies. ✓ allowed, ✗ denied (hover for the policy and list that decided it), · the facility does not hold the product. Every denial is listed below with its reason.');
    if (!plan.compliance.length) { note(body, 'The plan has no compliance verdicts.'); return; }
    var facilities = unique(plan.compliance.map(function (c) { return c.facility; }));
    var demands = unique(plan.demands.map(function (d) { return d.demand; })
      .filter(function (d) { return plan.compliance.some(function (c) { return c.demand === d; }); })
      .concat(plan.compliance.map(function (c) { return c.demand; })));
    var verdict = {};
    plan.compliance.forEach(function (c) { verdict[c.facility + '\u0000' + c.demand] = c; });
    var head = el('tr', {}, [el('th', { class: 'row', text: 'facility \\ demand' })].concat(demands.map(function (d) {
      return el('th', { class: 'col', text: d, scope: 'col' });
    })));
    var tbody = el('tbody');
    facilities.forEach(function (f) {
      var tr = el('tr', {}, [el('th', { class: 'row', text: f, scope: 'row' })]);
      demands.forEach(function (d) {
        var v = verdict[f + '\u0000' + d];
        var td;
        if (!v) td = el('td', { class: 'none', text: '·', title: f + ' does not hold the product of ' + d });
        else if (v.allowed) td = el('td', { class: 'allowed', text: '✓', title: f + ' → ' + d + ': allowed (' + v.reason + ')' });
        else td = el('td', { class: 'denied', text: '✗', title: f + ' → ' + d + ': denied: ' + v.reason });
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    body.appendChild(el('div', { class: 'table-wrap' }, [el('table', { class: 'matrix' }, [el('thead', {}, [head]), tbody])]));

    var denied = plan.compliance.filter(function (c) { return !c.allowed; });
    body.appendChild(el('h3', { text: 'Denied supply (' + denied.length + ')' }));
    if (!denied.length) note(body, 'No facility–demand pair is denied.');
    else {
      table(body, [{ label: 'Facility' }, { label: 'Demand' }, { label: 'Reason' }],
        denied.map(function (c) { return { cells: [c.facility, c.demand, c.reason] }; }));
    }
    if (plan.transfer_denials.length) {
      body.appendChild(el('h3', { text: 'Denied transfers between facilities (' + plan.transfer_denials.length + ')' }));
      table(body, [{ label: 'From' }, { label: 'To' }, { label: 'Reason' }],
        plan.transfer_denials.map(function (c) { return { cells: [c.from, c.to, c.reason] }; }));
    }
  }

  function dependency() {
    var body = section('dependency', 'Dependency shares',
      'For each end user, the share of the units of one product it received from each exporting state over the horizon. A single dominant colour means a single point of failure.');
    var products = unique(plan.dependency.map(function (d) { return d.product; }));
    if (!products.length) { note(body, 'Nothing is delivered in this plan.'); return; }
    var controls = el('div', { class: 'controls' });
    body.appendChild(controls);
    var c = chart(body, 'dependency', 300, 'Stacked bars of supplier shares per end user');
    function show(product) {
      var rows = plan.dependency.filter(function (d) { return d.product === product; });
      var users = unique(rows.map(function (r) { return r.end_user; }));
      var exporters = unique(rows.map(function (r) { return r.exporter; }));
      var height = Math.max(220, 34 * users.length + 90);
      c.getDom().style.height = height + 'px';
      c.resize();
      draw(c, {
        grid: { left: 24, right: 30, top: 40, bottom: 30, containLabel: true },
        legend: { top: 0, type: 'scroll' },
        tooltip: { trigger: 'item', formatter: function (p) {
          var r = rows.filter(function (x) { return x.end_user === p.name && x.exporter === p.seriesName; })[0];
          return esc(p.name) + ' from ' + esc(p.seriesName) + ': ' + pct(p.value / 100) + (r ? ' (' + units(r.delivered) + ' units)' : '');
        } },
        xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
        yAxis: { type: 'category', data: users, inverse: true },
        series: exporters.map(function (x) {
          return {
            type: 'bar', name: x, stack: 'share', barMaxWidth: 26,
            label: { show: true, formatter: function (p) { return p.value >= 8 ? Math.round(p.value) + '%' : ''; } },
            data: users.map(function (u) {
              var r = rows.filter(function (y) { return y.end_user === u && y.exporter === x; })[0];
              return r ? r.share * 100 : 0;
            })
          };
        })
      });
    }
    selector(controls, 'Product', products.map(function (p) { return { value: p, label: p }; }), show).fire();
    var conc = plan.concentration || [];
    if (conc.length) {
      body.appendChild(el('h3', { text: 'Concentration and alignment' }));
      note(body, 'HHI: Herfindahl-Hirschman index of the exporter mix (10,000 = a single supplier; above 2,500 is usually called highly concentrated). Outside its blocs: the share from exporters that share no bloc with the receiver.');
      table(body, [{ label: 'Receiver' }, { label: 'Role' }, { label: 'Product' }, { label: 'Delivered', num: true },
        { label: 'Largest supplier' }, { label: 'HHI', num: true }, { label: 'Outside its blocs', num: true }],
        conc.map(function (d) {
          return { cls: d.hhi > 2500 ? 'concentrated' : '', cells: [d.receiver, d.role.replace('_', ' '), d.product, units(d.delivered),
            d.top_exporter + ' ' + pct(d.top_share), num(d.hhi), pct(d.unaligned_share)] };
        }), { cls: 'concentration' });
    }
  }

  function explanations() {
    var body = section('shortages', 'Why demands are short',
      plan.explanations.length
        ? 'The planner\u2019s explanation of each shortage, with its causes.'
        : 'Facts from the plan about every demand that is not fully met: how much is missing, and which suppliers the policies rule out.');
    var list = el('ul', { class: 'explanations' });
    if (plan.explanations.length) {
      plan.explanations.forEach(function (x) {
        var li = el('li', {}, [x.subject ? el('b', { text: x.subject + ': ' }) : null, x.text]);
        if (x.causes.length) li.appendChild(el('ul', {}, x.causes.map(function (c) { return el('li', { text: c }); })));
        list.appendChild(li);
      });
    } else {
      plan.demands.forEach(function (d) {
        if (d.fill_rate === null || d.fill_rate >= 0.9999) return;
        var required = sum(d.required); var delivered = sum(d.delivered);
        var text = d.demand + ' (' + d.product + ' for ' + d.end_user + '): ' + units(delivered) + ' of ' + units(required) +
          ' units delivered (' + pct(d.fill_rate) + '); ' +
          (d.backlog_kind ? units(d.backlog[d.backlog.length - 1]) + ' still owed at the end of the horizon.'
            : units(sum(d.lost)) + ' units lost.');
        var causes = plan.compliance.filter(function (c) { return c.demand === d.demand && !c.allowed; })
          .map(function (c) { return c.facility + ' may not supply it: ' + c.reason; });
        var li = el('li', {}, [text]);
        if (causes.length) li.appendChild(el('ul', {}, causes.map(function (c) { return el('li', { text: c }); })));
        list.appendChild(li);
      });
      if (!list.childNodes.length) { note(body, 'Every demand is fully met.'); return; }
    }
    body.appendChild(list);
  }

  // ---- analyses ------------------------------------------------------------

  function comparison(cmp) {
    var body = section('comparison', 'Variants compared with ' + cmp.base,
      'Each variant\u2019s value of every measure beside the base, and the change relative to the base. Green is better, red is worse, where a direction is known.');
    var rel = function (m, v) {
      if (m.base === null || v === null || m.base === 0) return null;
      return (v - m.base) / Math.abs(m.base) * 100;
    };
    var height = Math.max(240, cmp.metrics.length * (18 * cmp.variants.length + 14) + 80);
    var c = chart(body, 'comparison', height, 'Bar chart of relative changes against the base');
    draw(c, {
      grid: { left: 24, right: 40, top: 40, bottom: 30, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: function (v) {
        return v === null || v === undefined ? '–' : (v > 0 ? '+' : '') + v.toFixed(1) + '%';
      } },
      xAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
      yAxis: { type: 'category', inverse: true, data: cmp.metrics.map(function (m) { return m.label; }) },
      series: cmp.variants.map(function (name, j) {
        return { type: 'bar', name: name, data: cmp.metrics.map(function (m) { return rel(m, m.values[j]); }) };
      })
    });
    var headers = [{ label: 'Measure' }, { label: cmp.base + ' (base)', num: true }];
    cmp.variants.forEach(function (v) { headers.push({ label: v, num: true }); headers.push({ label: 'Δ', num: true }); });
    table(body, headers, cmp.metrics.map(function (m) {
      var fmt = byUnit(m.unit);
      var cells = [m.label + (m.unit ? ' (' + m.unit + ')' : ''), fmt(m.base)];
      m.values.forEach(function (v) {
        cells.push(fmt(v));
        var d = v === null || m.base === null ? null : v - m.base;
        var span = el('span', { text: d === null ? '–' : (d > 0 ? '+' : '') + fmt(d) });
        if (d !== null && d !== 0 && m.better) {
          var good = (m.better === 'lower') === (d < 0);
          span.className = good ? 'delta-good' : 'delta-bad';
        }
        cells.push(span);
      });
      return { cells: cells };
    }));
    // Time windows of policies and routes (docs/windows.md), when a case has one.
    if (cmp.windows && cmp.windows.length) {
      var wh = [{ label: 'Time window' }, { label: cmp.base + ' (base)' }];
      cmp.variants.forEach(function (v) { wh.push({ label: v }); });
      table(body, wh, cmp.windows.map(function (w) {
        var cells = [w.subject, w.base === null ? '–' : w.base];
        w.values.forEach(function (v) { cells.push(v === null ? '–' : v); });
        return { cells: cells };
      }));
    }
  }

  function criticality(crit) {
    var body = section('criticality', 'Criticality ranking',
      'Ranked by ' + crit.measure + (crit.unit ? ' (' + crit.unit + ')' : '') + ': the higher the bar, the more the plan depends on it.');
    var items = crit.items.slice().sort(function (a, b) { return b.value - a.value; });
    var unit = crit.unit ? ' ' + crit.unit : '';
    var fmt = byUnit(crit.unit); var fmtShort = shortByUnit(crit.unit);
    var c = chart(body, 'criticality', Math.max(220, 24 * items.length + 60), 'Ranked bar chart of criticality');
    draw(c, {
      grid: { left: 24, right: 80, top: 10, bottom: 30, containLabel: true },
      tooltip: { trigger: 'item', formatter: function (p) {
        var it = items[p.dataIndex];
        return '<b>' + esc(it.name) + '</b>' + (it.kind ? ' (' + esc(it.kind) + ')' : '') + '<br>' + fmt(it.value) + esc(unit) +
          (it.detail ? '<br>' + esc(it.detail) : '');
      } },
      xAxis: { type: 'value', axisLabel: { formatter: short } },
      yAxis: { type: 'category', inverse: true, data: items.map(function (i) { return i.name; }) },
      series: [{ type: 'bar', name: crit.measure, data: items.map(function (i) { return i.value; }),
        label: { show: true, position: 'right', formatter: function (p) { return fmtShort(p.value); } } }]
    });
    if (items.some(function (i) { return i.detail; })) {
      table(body, [{ label: '#', num: true }, { label: 'Name' }, { label: 'Kind' }, { label: 'Value', num: true }, { label: 'Why' }],
        items.map(function (i, k) { return { cells: [String(k + 1), i.name, i.kind || '', fmt(i.value), i.detail || ''] }; }));
    }
  }

  function simulation(sim) {
    var body = section('simulation', 'Simulated outcomes',
      'Over ' + sim.runs + ' simulated runs: the middle line is the median, the shaded bands hold the central ' +
      'share of runs between the quantiles shown (the darker, the more likely).');
    if (!sim.series.length) { note(body, 'The simulation has no series.'); return; }
    var controls = el('div', { class: 'controls' });
    body.appendChild(controls);
    var c = chart(body, 'fan', 340, 'Fan chart of simulated percentiles');
    var q = sim.quantiles; var n = q.length; var mid = Math.floor((n - 1) / 2);
    function show(k) {
      var s = sim.series[Number(k)];
      var series = [];
      // Bands: stacked differences between successive quantiles, on top of
      // an invisible base at the lowest quantile.
      series.push({ type: 'line', name: 'p' + Math.round(q[0] * 100), stack: 'fan', data: s.values[0],
        symbol: 'none', lineStyle: { opacity: 0 }, silent: true });
      for (var j = 1; j < n; j++) {
        var centre = Math.min(Math.abs(j - 1 - mid), Math.abs(j - mid));
        var opacity = Math.max(0.12, 0.45 - 0.15 * centre);
        series.push({
          type: 'line', name: 'p' + Math.round(q[j - 1] * 100) + '–p' + Math.round(q[j] * 100), stack: 'fan',
          data: s.values[j].map(function (v, t) { return v - s.values[j - 1][t]; }),
          symbol: 'none', lineStyle: { opacity: 0 }, areaStyle: { color: '#1f5f99', opacity: opacity }, silent: true
        });
      }
      series.push({ type: 'line', name: 'median', data: s.values[mid], symbol: 'none',
        lineStyle: { width: 2.5, color: '#0b2a4a' }, itemStyle: { color: '#0b2a4a' } });
      draw(c, {
        grid: { left: 70, right: 40, top: 30, bottom: 40 },
        legend: { top: 0, data: ['median'] },
        tooltip: { trigger: 'axis', formatter: function (ps) {
          var t = ps[0].dataIndex;
          return '<b>' + esc(sim.periods[t]) + '</b><br>' + q.map(function (x, i) {
            return 'p' + Math.round(x * 100) + ': ' + byUnit(s.unit)(s.values[i][t]);
          }).reverse().join('<br>');
        } },
        xAxis: { type: 'category', data: sim.periods, boundaryGap: false },
        yAxis: { type: 'value', name: s.unit, axisLabel: { formatter: short } },
        series: series
      });
    }
    selector(controls, 'Quantity', sim.series.map(function (s, i) { return { value: String(i), label: s.name }; }), show).fire();
    var demands = sim.demands || [];
    if (demands.length) {
      // The percentiles given (keys p5, p50, …): the lowest, middle and highest.
      var picks = function (x) {
        var ks = Object.keys(x || {}).filter(function (k) { return /^p\d+(\.\d+)?$/.test(k); })
          .sort(function (a, b) { return Number(a.slice(1)) - Number(b.slice(1)); });
        return ks.length ? [ks[0], ks[Math.floor((ks.length - 1) / 2)], ks[ks.length - 1]] : [];
      };
      var spread = function (x, f) {
        var ks = picks(x);
        return ks.length ? ks.map(function (k) { return x[k] == null ? '–' : f(x[k]); }).join(' / ') : '–';
      };
      var first = demands.filter(function (d) { return d.fill_rate; })[0];
      var which = first ? ' (' + picks(first.fill_rate).join(' / ') + ')' : '';
      body.appendChild(el('h3', { text: 'Per demand across the runs' }));
      note(body, 'Fill rate and shortage (unit-periods) at the lowest, middle and highest percentiles computed over the runs' +
        (sim.threshold != null ? ', and the share of runs in which the fill rate falls below ' + pct(sim.threshold) : '') + '.');
      table(body, [{ label: 'Demand' }, { label: 'End user' }, { label: 'Product' }, { label: 'Fill rate' + which },
        { label: 'Shortage' + which }, { label: 'P(fill below threshold)', num: true }],
        demands.map(function (d) {
          var risky = d.below_threshold != null && d.below_threshold >= 0.5;
          return { cls: risky ? 'concentrated' : '', cells: [d.demand, d.end_user, d.product, spread(d.fill_rate, pct),
            spread(d.shortage, num), d.below_threshold != null ? pct(d.below_threshold) : '–'] };
        }), { cls: 'sim-demands' });
    }
  }

  function assumptions() {
    var list = plan.assumptions || [];
    if (!list.length) return;
    var body = section('assumptions', 'Assumptions behind this plan',
      'Figures the scenario marks as assumptions, with the range each may plausibly take (multipliers of the values ' +
      'written). `caisson sensitivity` re-plans with each at its bounds.');
    var factor = function (f) { return '×' + (Math.round(f * 1000) / 1000); };
    table(body, [{ label: 'Assumption' }, { label: 'Range' }, { label: 'Values scaled' }, { label: 'Why assumed' }],
      list.map(function (a) {
        return { cells: [a.id, factor(a.low) + ' – ' + factor(a.high), a.targets.join(', '), a.reason] };
      }), { cls: 'assumptions' });
  }

  function sensitivity(sens) {
    var unit = sens.unit ? ' ' + sens.unit : '';
    var body = section('sensitivity', 'Sensitivity to assumptions',
      'How far ' + sens.measure + ' moves when one assumption at a time is put at its low or high bound ' +
      '(value at the figures written: ' + (sens.base == null ? '–' : num(sens.base)) + unit + '). ' +
      'Bars show the change from that value; the widest swing is at the top.');
    var bars = sens.bars;
    if (!bars.length) { note(body, 'No assumption was varied.'); return; }
    var change = function (v) { return v == null || sens.base == null ? null : v - sens.base; };
    var factor = function (f) { return '×' + (Math.round(f * 1000) / 1000); };
    var c = chart(body, 'tornado', Math.max(220, 28 * bars.length + 70), 'Tornado chart of the change at each bound');
    draw(c, {
      grid: { left: 24, right: 60, top: 30, bottom: 30, containLabel: true },
      legend: { top: 0, data: ['low bound', 'high bound'] },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: function (ps) {
        var b = bars[ps[0].dataIndex];
        return '<b>' + esc(b.id) + '</b><br>low ' + factor(b.low) + ': ' + (b.at_low == null ? '–' : num(b.at_low)) + esc(unit) +
          '<br>high ' + factor(b.high) + ': ' + (b.at_high == null ? '–' : num(b.at_high)) + esc(unit) +
          (b.reason ? '<br>' + esc(b.reason) : '');
      } },
      xAxis: { type: 'value', name: 'change', axisLabel: { formatter: short } },
      yAxis: { type: 'category', inverse: true, data: bars.map(function (b) { return b.id; }) },
      series: [
        { type: 'bar', name: 'low bound', barGap: '-100%', data: bars.map(function (b) { return change(b.at_low); }),
          itemStyle: { color: '#1f5f99' } },
        { type: 'bar', name: 'high bound', barGap: '-100%', data: bars.map(function (b) { return change(b.at_high); }),
          itemStyle: { color: '#c0632b' } }
      ]
    });
    table(body, [{ label: '#', num: true }, { label: 'Assumption' }, { label: 'Range' }, { label: 'At low', num: true },
      { label: 'At high', num: true }, { label: 'Values scaled' }, { label: 'Why assumed' }],
      bars.map(function (b, k) {
        return { cells: [String(k + 1), b.id, factor(b.low) + ' – ' + factor(b.high),
          b.at_low == null ? '–' : num(b.at_low), b.at_high == null ? '–' : num(b.at_high),
          (b.targets || []).join(', '), b.reason || ''] };
      }), { cls: 'sensitivity' });
  }

  function breakeven(b) {
    var body = section('breakeven', 'Contracts with ' + b.supplier + ' or ' + b.bloc + ' ramp-ups',
      'For each yearly probability that the switch `' + b.entry + '` happens (' + b.samples + ' samples each, the same ' +
      'seed for every probability): contracts with ' + b.supplier + ' (the deal) against ' + b.bloc +
      ' expansions funded with the same money (the ramp-up). The dashed line marks the break-even probability, ' +
      'from which the ramp-up is at least as good.');
    if (!b.measures.length || !b.hazards.length) { note(body, 'The comparison holds no figures.'); return; }
    var controls = el('div', { class: 'controls' });
    body.appendChild(controls);
    var c = chart(body, 'breakeven', 340, 'Line chart of the deal and the ramp-up over the yearly probability');
    var verdict = el('p', { class: 'note' });
    body.appendChild(verdict);
    function show(k) {
      var m = b.measures[Number(k)];
      var fmt = byUnit(m.unit);
      var line = function (values) { return values.map(function (v, i) { return [b.hazards[i] * 100, v]; }); };
      var deal = { type: 'line', name: 'deal (' + b.supplier + ' contracts)', data: line(m.deal), symbolSize: 7 };
      if (m.breakeven !== null && m.breakeven !== undefined) {
        deal.markLine = { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#5b6b7c' },
          label: { formatter: 'break-even ' + pct(m.breakeven) }, data: [{ xAxis: m.breakeven * 100 }] };
      }
      draw(c, {
        grid: { left: 24, right: 40, top: 40, bottom: 40, containLabel: true },
        legend: { top: 0 },
        tooltip: { trigger: 'axis', valueFormatter: function (v) { return fmt(v) + (m.unit ? ' ' + m.unit : ''); } },
        xAxis: { type: 'value', name: 'yearly probability', nameLocation: 'middle', nameGap: 26,
          min: b.hazards[0] * 100, max: b.hazards[b.hazards.length - 1] * 100, axisLabel: { formatter: '{value}%' } },
        yAxis: { type: 'value', scale: true, name: m.unit, axisLabel: { formatter: short } },
        series: [deal, { type: 'line', name: 'ramp-up (' + b.bloc + ' expansions)', data: line(m.ramp_up), symbolSize: 7 }]
      });
      verdict.textContent = m.verdict;
    }
    selector(controls, 'Measure', b.measures.map(function (m, i) { return { value: String(i), label: m.name }; }), show).fire();
    var headers = [{ label: 'Yearly probability', num: true }];
    b.measures.forEach(function (m) {
      var unit = m.unit ? ' (' + m.unit + ')' : '';
      headers.push({ label: m.name + ': deal' + unit, num: true });
      headers.push({ label: 'ramp-up', num: true });
    });
    table(body, headers, b.hazards.map(function (h, i) {
      var cells = [pct(h)];
      b.measures.forEach(function (m) { var fmt = byUnit(m.unit); cells.push(fmt(m.deal[i])); cells.push(fmt(m.ramp_up[i])); });
      return { cells: cells };
    }), { cls: 'breakeven' });
  }

  // ---- lay out -------------------------------------------------------------

  if (plan) {
    summary();
    costSplit();
    demandViews();
    sankey();
    utilisation();
    compliance();
    dependency();
    explanations();
    assumptions();
  }
  if (doc.comparison) comparison(doc.comparison);
  if (doc.criticality) criticality(doc.criticality);
  if (doc.simulation) simulation(doc.simulation);
  if (doc.sensitivity) sensitivity(doc.sensitivity);
  if (doc.breakeven) breakeven(doc.breakeven);
  if (!plan && !doc.comparison && !doc.criticality && !doc.simulation && !doc.sensitivity && !doc.breakeven) {
    root.appendChild(el('p', { class: 'note', text: 'This report document holds nothing to show.' }));
  }

  function resizeAll() { charts.forEach(function (c) { c.chart.resize(); }); }
  window.addEventListener('resize', resizeAll);
  window.addEventListener('beforeprint', resizeAll);
  window.addEventListener('afterprint', resizeAll);
  document.body.setAttribute('data-rendered', 'true');
})();
