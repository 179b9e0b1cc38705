/* The farmhand view.
 *
 * Renders a Problem and its Solution (the wire format of spec/format.md, and
 * nothing else) as headline figures, a map, a fill chart and two tables. In
 * report mode the two documents are embedded in the page; in page mode the
 * user picks a problem, the page sends it to the farmhand API that served it
 * and shows the answer. Plain DOM, no libraries, no requests to any other
 * host. Data is only ever inserted as text, never parsed as markup.
 */
(function () {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var DAY_MS = 86400000;
  /* Kilometres per degree of latitude on the spec's sphere (radius 6371.0088 km). */
  var KM_PER_DEGREE = 2 * Math.PI * 6371.0088 / 360;
  var WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  var MAX_ROWS = 2000;
  var TOKEN_KEY = 'farmhand-api-token';
  var REASONS = {
    no_worker_in_range: 'nobody within travel range',
    no_worker_with_skills: 'nobody with the skills',
    no_worker_available: 'nobody available that date',
    worker_limits: 'day limits, exclusions or crews',
    taken_by_other_demands: 'everyone able is busy elsewhere'
  };

  var fmtInt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  var fmt1 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

  /* What is shown now. */
  var state = {
    mode: document.body.getAttribute('data-mode') === 'page' ? 'page' : 'report',
    problem: null,
    solution: null,
    problemText: null,
    solutionText: null,
    ix: null,
    day: null,
    map: null,
    chart: null,
    input: { kind: null, file: null, workers: null, demands: null }
  };

  // ---------------------------------------------------------------- helpers

  function $(id) { return document.getElementById(id); }

  function append(node, children) {
    for (var i = 0; i < children.length; i++) {
      var c = children[i];
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  /* An HTML element with attributes and children (nodes or text). */
  function h(tag, attrs) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    return append(node, Array.prototype.slice.call(arguments, 2));
  }

  /* An SVG element with attributes and children. */
  function s(tag, attrs) {
    var node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    return append(node, Array.prototype.slice.call(arguments, 2));
  }

  function setAttrs(node, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, String(attrs[k]));
    });
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function pct(x) { return fmt1.format(100 * x) + '%'; }
  function km(x) { return fmtInt.format(x) + ' km'; }
  function round1(x) { return fmt1.format(x); }

  function push(map, key, value) {
    var list = map.get(key);
    if (list) list.push(value); else map.set(key, [value]);
  }

  /* Day number (days since 1970-01-01) of a YYYY-MM-DD date, or null. */
  function dayNumber(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text));
    if (!m) return null;
    var t = Date.UTC(+m[1], +m[2] - 1, +m[3]);
    return isFinite(t) ? Math.round(t / DAY_MS) : null;
  }
  function dateText(day) { return new Date(day * DAY_MS).toISOString().slice(0, 10); }
  function weekday(day) { return new Date(day * DAY_MS).getUTCDay(); }
  function shortDate(day) { return dateText(day).slice(5); }

  function finite(loc) {
    return loc && typeof loc.lat === 'number' && typeof loc.lon === 'number' &&
      isFinite(loc.lat) && isFinite(loc.lon);
  }

  /* The largest of 1, 2, 5 times a power of ten not above x. */
  function niceStep(x) {
    var p = Math.pow(10, Math.floor(Math.log10(x)));
    var f = x / p;
    return (f >= 5 ? 5 : f >= 2 ? 2 : 1) * p;
  }

  // ------------------------------------------------------------ the index

  /* Everything the view reads, derived once from the two documents. */
  function buildIndex(problem, solution) {
    var workers = Array.isArray(problem.workers) ? problem.workers : [];
    var demands = Array.isArray(problem.demands) ? problem.demands : [];
    var ix = {
      workers: workers,
      demands: demands,
      workerById: new Map(),
      demandById: new Map(),
      farms: new Map(),
      needByDay: new Map(),
      byDay: new Map(),
      perWorker: new Map(),
      unfilled: Array.isArray(solution.unfilled) ? solution.unfilled : [],
      standby: new Map(),
      hasStandby: Array.isArray(solution.standby),
      availability: new Map(),
      days: []
    };
    var lo = Infinity, hi = -Infinity;
    demands.forEach(function (d) {
      ix.demandById.set(d.id, d);
      var farm = ix.farms.get(d.farm_id);
      if (!farm) {
        farm = { id: d.farm_id, location: d.location, demands: [], needed: 0, filled: 0 };
        ix.farms.set(d.farm_id, farm);
      }
      farm.demands.push(d);
      var a = dayNumber(d.start), b = dayNumber(d.end);
      d._from = a; d._to = b;
      if (a === null || b === null || b < a) return;
      lo = Math.min(lo, a); hi = Math.max(hi, b);
      for (var t = a; t <= b; t++) ix.needByDay.set(t, (ix.needByDay.get(t) || 0) + d.workers_per_day);
      farm.needed += (b - a + 1) * d.workers_per_day;
    });
    (solution.assignments || []).forEach(function (a) {
      var t = dayNumber(a.date);
      if (t === null) return;
      lo = Math.min(lo, t); hi = Math.max(hi, t);
      a._day = t;
      push(ix.byDay, t, a);
      push(ix.perWorker, a.worker_id, a);
      var d = ix.demandById.get(a.demand_id);
      var farm = d && ix.farms.get(d.farm_id);
      if (farm) farm.filled += 1;
    });
    ix.unfilled.forEach(function (u) { u._day = dayNumber(u.date); });
    (solution.standby || []).forEach(function (sb) {
      ix.standby.set(sb.date + '\u0000' + sb.demand_id, sb.workers || []);
    });
    workers.forEach(function (w) {
      ix.workerById.set(w.id, w);
      var ranges = (w.availability || []).map(function (r) {
        return [dayNumber(r.start), dayNumber(r.end)];
      }).filter(function (r) { return r[0] !== null && r[1] !== null; });
      ix.availability.set(w.id, ranges);
    });
    if (lo <= hi) for (var t = lo; t <= hi; t++) ix.days.push(t);
    return ix;
  }

  function dayFigures(ix, day) {
    var needed = ix.needByDay.get(day) || 0;
    var filled = (ix.byDay.get(day) || []).length;
    return { needed: needed, filled: filled, rate: needed > 0 ? filled / needed : null };
  }

  function available(ix, workerId, day) {
    var ranges = ix.availability.get(workerId) || [];
    for (var i = 0; i < ranges.length; i++) {
      if (ranges[i][0] <= day && day <= ranges[i][1]) return true;
    }
    return false;
  }

  /* Per farm on one day: worker-days needed and assigned. */
  function farmsOnDay(ix, day) {
    var got = new Map();
    (ix.byDay.get(day) || []).forEach(function (a) {
      got.set(a.demand_id, (got.get(a.demand_id) || 0) + 1);
    });
    var out = new Map();
    ix.farms.forEach(function (farm, id) {
      var need = 0, have = 0;
      farm.demands.forEach(function (d) {
        if (d._from !== null && d._from <= day && day <= d._to) {
          need += d.workers_per_day;
          have += got.get(d.id) || 0;
        }
      });
      out.set(id, { need: need, have: have });
    });
    return out;
  }

  // --------------------------------------------------------------- showing

  function show(problem, solution, source) {
    state.problem = problem;
    state.solution = solution;
    state.ix = buildIndex(problem, solution);
    var ix = state.ix;
    $('results').hidden = false;
    $('empty-note').hidden = true;
    var span = ix.days.length
      ? dateText(ix.days[0]) + ' to ' + dateText(ix.days[ix.days.length - 1]) + ' (' + ix.days.length + ' dates)'
      : 'no dates';
    $('subtitle').textContent = span + ' · ' + fmtInt.format(ix.workers.length) + ' workers · ' +
      fmtInt.format(ix.demands.length) + ' demands on ' + fmtInt.format(ix.farms.size) + ' farms' +
      (source ? ' · ' + source : '');
    renderFigures(solution);
    renderWarnings(solution);
    // Stand-ins are a sheet of their own only when the plan has some.
    $('download-standby-csv').hidden = !(Array.isArray(solution.standby) && solution.standby.length);
    renderDropped(solution);
    renderLegend(ix);
    state.map = buildMap(ix);
    state.chart = buildChart(ix);
    fillDateSelect(ix);
    renderReasonCounts(ix);
    var fromHash = dayNumber(decodeURIComponent(location.hash.slice(1)));
    var first = ix.days.length ? ix.days[0] : null;
    setDay(fromHash !== null && ix.days.indexOf(fromHash) >= 0 ? fromHash : first);
  }

  function figure(label, value, sub, tone) {
    return h('div', { class: 'figure' + (tone ? ' ' + tone : '') },
      h('div', { class: 'label' }, label),
      h('div', { class: 'value' }, value),
      h('div', { class: 'sub' }, sub));
  }

  function korean(text) { return h('span', { lang: 'ko' }, text); }

  function renderFigures(solution) {
    var sm = solution.summary || {};
    var box = clear($('figures'));
    var rate = typeof sm.fill_rate === 'number' ? sm.fill_rate : 0;
    box.appendChild(figure(h('span', null, 'Fill rate ', korean('충원율')), pct(rate),
      fmtInt.format(sm.worker_days_filled) + ' of ' + fmtInt.format(sm.worker_days_needed) +
      ' worker-days filled', rate >= 0.95 ? 'good' : rate >= 0.75 ? 'warn' : 'bad'));
    var bound = sm.weighted_fill_bound;
    box.appendChild(figure(h('span', null, 'Weighted fill ', korean('가중 충원')),
      fmtInt.format(sm.weighted_fill),
      bound === sm.weighted_fill ? 'equals the bound: the most possible'
        : 'bound ' + fmtInt.format(bound) + ' (' + (bound > 0 ? pct(sm.weighted_fill / bound) : '–') + ' of it)'));
    var missing = 0;
    (solution.unfilled || []).forEach(function (u) { missing += u.missing || 0; });
    box.appendChild(figure(h('span', null, 'Unfilled ', korean('미충원')),
      fmtInt.format((solution.unfilled || []).length) + ' slots',
      fmtInt.format(missing) + ' worker-days short', missing === 0 ? 'good' : null));
    box.appendChild(figure(h('span', null, 'Travel ', korean('이동 거리')), km(sm.total_distance_km || 0),
      'one way, all assignments'));
    box.appendChild(figure(h('span', null, 'Objective ', korean('목적함수')), km(sm.objective_km || 0),
      'km less bonuses: ' + fmtInt.format(sm.continuity_pairs) + ' days kept on, ' +
      fmtInt.format(sm.preferred_assignments) + ' preferred, ' + fmtInt.format(sm.previous_kept) + ' previous kept'));
    var optimal = sm.optimal === true ? 'proven' : sm.optimal === false ? 'not proven' : 'unknown';
    box.appendChild(figure(h('span', null, 'Optimal ', korean('최적')), optimal,
      sm.optimal === true ? 'no better plan exists'
        : sm.optimal === false ? 'dates coupled or time-limited; fill within the bound'
          : 'the solver cannot tell', sm.optimal === true ? 'good' : null));
    box.appendChild(figure(h('span', null, 'Workers ', korean('근로자')), fmtInt.format(sm.workers),
      fmtInt.format(sm.demands) + ' demands, ' + fmtInt.format(sm.slots) + ' slots; solved in ' +
      round1((sm.elapsed_ms || 0) / 1000) + ' s'));
  }

  function renderWarnings(solution) {
    var list = clear($('warnings'));
    var warnings = solution.warnings || [];
    warnings.forEach(function (w) { list.appendChild(h('li', null, w)); });
    list.hidden = warnings.length === 0;
  }

  function renderDropped(solution) {
    var dropped = solution.dropped_previous || [];
    var list = clear($('dropped-list'));
    dropped.forEach(function (a) {
      list.appendChild(h('li', null, h('code', null, a.worker_id), ' was on ', h('code', null, a.demand_id),
        ' on ', a.date));
    });
    $('dropped').hidden = dropped.length === 0;
  }

  // ------------------------------------------------------------------- map

  /* An equirectangular projection scaled by cos(latitude) at the middle,
     fitted to the points. */
  function projection(points) {
    var minLat = Infinity, maxLat = -Infinity, minLon = Infinity, maxLon = -Infinity;
    points.forEach(function (p) {
      minLat = Math.min(minLat, p.lat); maxLat = Math.max(maxLat, p.lat);
      minLon = Math.min(minLon, p.lon); maxLon = Math.max(maxLon, p.lon);
    });
    if (!isFinite(minLat)) { minLat = maxLat = 0; minLon = maxLon = 0; }
    var k = Math.cos((minLat + maxLat) / 2 * Math.PI / 180);
    var pad = 28;
    var dx = Math.max((maxLon - minLon) * k, 0.02), dy = Math.max(maxLat - minLat, 0.02);
    var scale = Math.min(860 / dx, 640 / dy);
    var width = Math.max(dx * scale + 2 * pad, 420), height = Math.max(dy * scale + 2 * pad, 300);
    var x0 = (minLon + maxLon) / 2, y0 = (minLat + maxLat) / 2;
    return {
      width: width,
      height: height,
      x: function (lon) { return width / 2 + (lon - x0) * k * scale; },
      y: function (lat) { return height / 2 - (lat - y0) * scale; },
      lon: function (x) { return x0 + (x - width / 2) / (k * scale); },
      lat: function (y) { return y0 - (y - height / 2) / scale; },
      pxPerKm: scale / KM_PER_DEGREE
    };
  }

  function buildMap(ix) {
    var svg = clear($('map'));
    var points = [];
    ix.workers.forEach(function (w) { if (finite(w.location)) points.push(w.location); });
    ix.demands.forEach(function (d) { if (finite(d.location)) points.push(d.location); });
    var pr = projection(points);
    svg.setAttribute('viewBox', '0 0 ' + pr.width.toFixed(1) + ' ' + pr.height.toFixed(1));
    svg.style.setProperty('--aspect', (pr.width / pr.height).toFixed(4));
    svg.appendChild(graticule(pr));
    var lines = s('g', { class: 'lines' });
    var farmLayer = s('g', { class: 'farms' });
    var workerLayer = s('g', { class: 'workers' });
    svg.appendChild(lines);
    svg.appendChild(farmLayer);
    svg.appendChild(workerLayer);

    var maxNeeded = 1;
    ix.farms.forEach(function (f) { maxNeeded = Math.max(maxNeeded, f.needed); });
    var radius = function (needed) { return 3 + 13 * Math.sqrt(needed / maxNeeded); };
    var farms = [];
    // Big circles first, so that small farms stay visible on top of them.
    Array.from(ix.farms.values()).sort(function (a, b) { return b.needed - a.needed; }).forEach(function (f) {
      if (!finite(f.location)) return;
      var title = s('title');
      var c = s('circle', {
        class: 'farm', cx: pr.x(f.location.lon).toFixed(1), cy: pr.y(f.location.lat).toFixed(1),
        r: radius(f.needed).toFixed(1), 'data-farm': f.id
      }, title);
      farmLayer.appendChild(c);
      farms.push({ farm: f, node: c, title: title });
    });
    var workers = [];
    ix.workers.forEach(function (w) {
      if (!finite(w.location)) return;
      var title = s('title');
      var c = s('circle', {
        class: 'worker', cx: pr.x(w.location.lon).toFixed(1), cy: pr.y(w.location.lat).toFixed(1),
        r: 3.2, 'data-worker': w.id
      }, title);
      workerLayer.appendChild(c);
      workers.push({ worker: w, node: c, title: title });
    });
    svg.appendChild(scaleBar(pr));
    return { svg: svg, pr: pr, lines: lines, farms: farms, workers: workers, radius: radius, maxNeeded: maxNeeded };
  }

  /* Faint lines at round degrees, labelled, so the map can be placed. */
  function graticule(pr) {
    var g = s('g', { class: 'graticule-layer' });
    var lonStep = niceStep((pr.lon(pr.width) - pr.lon(0)) / 4);
    var latStep = niceStep((pr.lat(0) - pr.lat(pr.height)) / 4);
    var decimals = function (step) { return Math.max(0, -Math.floor(Math.log10(step))); };
    for (var lon = Math.ceil(pr.lon(0) / lonStep) * lonStep; lon <= pr.lon(pr.width); lon += lonStep) {
      var x = pr.x(lon);
      g.appendChild(s('line', { class: 'graticule', x1: x.toFixed(1), x2: x.toFixed(1), y1: 0, y2: pr.height }));
      g.appendChild(s('text', { class: 'graticule-label', x: (x + 3).toFixed(1), y: 11 },
        Math.abs(lon).toFixed(decimals(lonStep)) + '°' + (lon >= 0 ? 'E' : 'W')));
    }
    for (var lat = Math.ceil(pr.lat(pr.height) / latStep) * latStep; lat <= pr.lat(0); lat += latStep) {
      var y = pr.y(lat);
      if (y > pr.height - 40) continue; // the scale bar's corner
      g.appendChild(s('line', { class: 'graticule', x1: 0, x2: pr.width, y1: y.toFixed(1), y2: y.toFixed(1) }));
      g.appendChild(s('text', { class: 'graticule-label', x: 3, y: (y - 3).toFixed(1) },
        Math.abs(lat).toFixed(decimals(latStep)) + '°' + (lat >= 0 ? 'N' : 'S')));
    }
    return g;
  }

  function scaleBar(pr) {
    var kmLong = niceStep((pr.width / 5) / pr.pxPerKm);
    var len = kmLong * pr.pxPerKm;
    var x = 14, y = pr.height - 14;
    return s('g', { class: 'scale' },
      s('rect', { x: x - 6, y: y - 22, width: (len + 12).toFixed(1), height: 30, rx: 4 }),
      s('line', { x1: x, x2: (x + len).toFixed(1), y1: y, y2: y }),
      s('line', { x1: x, x2: x, y1: y - 5, y2: y + 3 }),
      s('line', { x1: (x + len).toFixed(1), x2: (x + len).toFixed(1), y1: y - 5, y2: y + 3 }),
      s('text', { x: (x + len / 2).toFixed(1), y: y - 7, 'text-anchor': 'middle' },
        (kmLong >= 1 ? fmtInt.format(kmLong) : String(kmLong)) + ' km'));
  }

  function updateMap(day) {
    var map = state.map, ix = state.ix;
    if (!map) return;
    var todays = day === null ? [] : ix.byDay.get(day) || [];
    var assigned = new Map();
    todays.forEach(function (a) { assigned.set(a.worker_id, a); });
    map.workers.forEach(function (item) {
      var w = item.worker, a = assigned.get(w.id);
      var cls = a ? 'worker' : day !== null && available(ix, w.id, day) ? 'worker free' : 'worker away';
      item.node.setAttribute('class', cls);
      item.title.textContent = w.id + (a ? ': ' + a.demand_id + ', ' + round1(a.distance_km) + ' km'
        : cls === 'worker free' ? ': available, not sent' : ': not available');
    });
    var perFarm = day === null ? new Map() : farmsOnDay(ix, day);
    map.farms.forEach(function (item) {
      var f = item.farm, today = perFarm.get(f.id) || { need: 0, have: 0 };
      var cls = today.need === 0 ? 'farm idle' : today.have < today.need ? 'farm short' : 'farm';
      item.node.setAttribute('class', cls);
      item.title.textContent = f.id + '\n' + f.demands.map(function (d) { return d.id; }).join(', ') +
        '\nseason: ' + fmtInt.format(f.filled) + ' of ' + fmtInt.format(f.needed) + ' worker-days' +
        (today.need ? '\nthis date: ' + today.have + ' of ' + today.need + ' workers' : '\nno work this date');
    });
    var lines = clear(map.lines), pr = map.pr;
    todays.forEach(function (a) {
      var w = ix.workerById.get(a.worker_id), d = ix.demandById.get(a.demand_id);
      if (!w || !d || !finite(w.location) || !finite(d.location)) return;
      lines.appendChild(s('line', {
        class: 'assignment',
        x1: pr.x(w.location.lon).toFixed(1), y1: pr.y(w.location.lat).toFixed(1),
        x2: pr.x(d.location.lon).toFixed(1), y2: pr.y(d.location.lat).toFixed(1)
      }, s('title', null, a.worker_id + ' to ' + a.demand_id + ', ' + round1(a.distance_km) + ' km')));
    });
  }

  function swatch(shape) {
    // The swatches use the map's classes, so they look as the map does.
    return s('svg', { class: 'swatch', width: 26, height: 18, viewBox: '0 0 26 18', 'aria-hidden': 'true' }, shape);
  }

  function renderLegend(ix) {
    var box = clear($('legend'));
    var maxNeeded = 1;
    ix.farms.forEach(function (f) { maxNeeded = Math.max(maxNeeded, f.needed); });
    var item = function (shape, text) { return h('li', null, swatch(shape), h('span', null, text)); };
    box.appendChild(h('h3', null, 'Workers ', korean('근로자')));
    box.appendChild(h('ul', null,
      item(s('circle', { class: 'worker', cx: 13, cy: 9, r: 4 }), 'sent to a farm this date'),
      item(s('circle', { class: 'worker free', cx: 13, cy: 9, r: 4 }), 'available, not sent'),
      item(s('circle', { class: 'worker away', cx: 13, cy: 9, r: 4 }), 'not available this date'),
      item(s('line', { class: 'assignment', x1: 2, y1: 15, x2: 24, y2: 3 }), 'trip this date (worker to farm)')));
    box.appendChild(h('h3', null, 'Farms ', korean('농가')));
    box.appendChild(h('ul', null,
      item(s('circle', { class: 'farm', cx: 13, cy: 9, r: 7 }), 'all hands this date'),
      item(s('circle', { class: 'farm short', cx: 13, cy: 9, r: 7 }), 'short of hands this date'),
      item(s('circle', { class: 'farm idle', cx: 13, cy: 9, r: 7 }), 'no work this date')));
    box.appendChild(h('p', { class: 'note' }, 'Circle area: worker-days needed over the season (largest ' +
      fmtInt.format(maxNeeded) + '). Hover a dot or circle for its id.'));
  }

  // ----------------------------------------------------------------- chart

  function buildChart(ix) {
    var svg = clear($('chart'));
    var W = 900, H = 210, left = 44, right = 64, top = 12, bottom = 34;
    var plotW = W - left - right, plotH = H - top - bottom;
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    var n = ix.days.length;
    if (n === 0) {
      svg.appendChild(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'No dates to show'));
      return null;
    }
    var band = plotW / n;
    var y = function (rate) { return top + plotH * (1 - rate); };
    var back = s('g');
    svg.appendChild(back);
    ix.days.forEach(function (day, i) {
      var wd = weekday(day);
      if (wd === 0 || wd === 6) {
        back.appendChild(s('rect', { class: 'weekend', x: (left + i * band).toFixed(1), y: top, width: band.toFixed(1), height: plotH }));
      }
    });
    var highlight = s('rect', { class: 'band', x: left, y: top - 4, width: band.toFixed(1), height: plotH + 4 });
    svg.appendChild(highlight);
    [0, 0.25, 0.5, 0.75, 1].forEach(function (r) {
      svg.appendChild(s('line', { class: 'grid', x1: left, x2: W - right, y1: y(r), y2: y(r) }));
      svg.appendChild(s('text', { x: left - 6, y: y(r) + 4, 'text-anchor': 'end' }, Math.round(r * 100) + '%'));
    });
    var bars = [];
    var gap = Math.min(2, band * 0.2);
    ix.days.forEach(function (day, i) {
      var f = dayFigures(ix, day);
      var x = left + i * band + gap / 2;
      var title = dateText(day) + ' ' + WEEKDAYS[weekday(day)] + ': ' +
        (f.rate === null ? 'nothing needed' : pct(f.rate) + ' (' + fmtInt.format(f.filled) + ' of ' + fmtInt.format(f.needed) + ' worker-days)');
      var rate = f.rate === null ? 0 : f.rate;
      var bar = s('rect', {
        class: 'bar' + (f.rate !== null && f.rate < 0.6 ? ' low' : ''),
        x: x.toFixed(1), y: y(rate).toFixed(1), width: Math.max(band - gap, 0.5).toFixed(1),
        height: Math.max(plotH * rate, f.rate === null ? 0 : 1).toFixed(1), 'data-date': dateText(day)
      }, s('title', null, title));
      bar.addEventListener('click', function () { setDay(day); });
      svg.appendChild(bar);
      bars.push(bar);
    });
    var overall = state.solution.summary && state.solution.summary.fill_rate;
    if (typeof overall === 'number') {
      svg.appendChild(s('line', { class: 'overall', x1: left, x2: W - right, y1: y(overall), y2: y(overall) }));
      svg.appendChild(s('text', { x: W - right + 4, y: y(overall) - 2 }, 'all dates'));
      svg.appendChild(s('text', { x: W - right + 4, y: y(overall) + 10 }, pct(overall)));
    }
    var every = Math.max(1, Math.ceil(n / 14));
    ix.days.forEach(function (day, i) {
      if (i % every !== 0) return;
      svg.appendChild(s('text', { x: (left + (i + 0.5) * band).toFixed(1), y: H - bottom + 15, 'text-anchor': 'middle' }, shortDate(day)));
    });
    svg.appendChild(s('text', { class: 'axis-title', x: left, y: H - 4 },
      'Share of the worker-days needed that are filled, per date (weekends shaded). Click a bar to show that date.'));
    return { bars: bars, highlight: highlight, band: band, left: left };
  }

  function updateChart(day) {
    var chart = state.chart;
    if (!chart) return;
    var i = state.ix.days.indexOf(day);
    chart.bars.forEach(function (bar, j) {
      var cls = bar.getAttribute('class').replace(/ selected/g, '');
      bar.setAttribute('class', j === i ? cls + ' selected' : cls);
    });
    chart.highlight.setAttribute('x', (chart.left + i * chart.band).toFixed(1));
    chart.highlight.setAttribute('visibility', i >= 0 ? 'visible' : 'hidden');
  }

  // -------------------------------------------------------------- stepping

  function fillDateSelect(ix) {
    var select = clear($('date-select'));
    ix.days.forEach(function (day) {
      var f = dayFigures(ix, day);
      select.appendChild(h('option', { value: String(day) },
        dateText(day) + ' ' + WEEKDAYS[weekday(day)] + ' · ' + (f.rate === null ? 'no work' : pct(f.rate) + ' filled')));
    });
    var none = ix.days.length === 0;
    select.disabled = none;
    $('prev-date').disabled = none;
    $('next-date').disabled = none;
  }

  function step(delta) {
    var days = state.ix ? state.ix.days : [];
    if (!days.length) return;
    var i = days.indexOf(state.day);
    var j = Math.min(days.length - 1, Math.max(0, (i < 0 ? 0 : i) + delta));
    if (days[j] !== state.day) setDay(days[j]);
  }

  function setDay(day) {
    state.day = day;
    var ix = state.ix;
    if (day !== null) {
      $('date-select').value = String(day);
      try { history.replaceState(null, '', '#' + dateText(day)); } catch (e) { /* file:// in some browsers */ }
    }
    var i = ix.days.indexOf(day);
    $('prev-date').disabled = i <= 0;
    $('next-date').disabled = i < 0 || i >= ix.days.length - 1;
    var text = $('day-figures');
    if (day === null) {
      text.textContent = 'No dates in this plan.';
      clear($('day-short'));
    } else {
      var f = dayFigures(ix, day);
      var short = 0;
      var perFarm = farmsOnDay(ix, day);
      perFarm.forEach(function (v) { if (v.have < v.need) short += 1; });
      renderDayShort(perFarm, day);
      clear(text);
      append(text, [h('b', null, WEEKDAYS[weekday(day)] + ' ' + dateText(day)), ': ',
        f.rate === null ? 'no work needed' : fmtInt.format(f.filled) + ' of ' + fmtInt.format(f.needed) +
          ' worker-days filled (' + pct(f.rate) + '), ' + short + (short === 1 ? ' farm' : ' farms') + ' short']);
    }
    $('schedule-date-head').textContent = day === null ? 'On the date shown' : 'On ' + shortDate(day);
    updateMap(day);
    updateChart(day);
    renderUnfilled();
    renderSchedule();
  }

  /* Beside the map: the farms short of hands on the date, worst first. */
  function renderDayShort(perFarm, day) {
    var box = clear($('day-short'));
    var short = [];
    perFarm.forEach(function (v, id) { if (v.have < v.need) short.push({ id: id, need: v.need, have: v.have }); });
    short.sort(function (a, b) { return (b.need - b.have) - (a.need - a.have) || (a.id < b.id ? -1 : 1); });
    box.appendChild(h('h3', null, 'Short on ' + shortDate(day) + ' ', korean('부족')));
    if (!short.length) {
      box.appendChild(h('p', { class: 'note' }, 'Every farm with work this date has all its hands.'));
      return;
    }
    var list = h('ul');
    short.slice(0, 12).forEach(function (f) {
      list.appendChild(h('li', null, h('span', { class: 'missing' }, '−' + (f.need - f.have)), ' ', f.id,
        h('span', { class: 'muted' }, ' (' + f.have + ' of ' + f.need + ')')));
    });
    if (short.length > 12) list.appendChild(h('li', { class: 'muted' }, 'and ' + (short.length - 12) + ' more'));
    box.appendChild(list);
  }

  // ---------------------------------------------------------------- tables

  function renderReasonCounts(ix) {
    var counts = new Map();
    ix.unfilled.forEach(function (u) {
      var code = u.reason ? u.reason.code : 'no reason given';
      var c = counts.get(code) || { slots: 0, missing: 0 };
      c.slots += 1; c.missing += u.missing || 0;
      counts.set(code, c);
    });
    var box = clear($('reason-counts'));
    if (counts.size === 0) box.appendChild(h('span', { class: 'chip' }, 'Every slot is filled.'));
    counts.forEach(function (c, code) {
      box.appendChild(h('span', { class: 'chip', title: REASONS[code] || '' }, h('code', null, code), ' ',
        fmtInt.format(c.slots) + ' slots, ' + fmtInt.format(c.missing) + ' worker-days'));
    });
  }

  function renderUnfilled() {
    var ix = state.ix, day = state.day;
    var only = $('unfilled-only-date').checked;
    var rows = ix.unfilled.filter(function (u) { return !only || u._day === day; });
    var body = clear($('unfilled-table').tBodies[0]);
    rows.slice(0, MAX_ROWS).forEach(function (u) {
      var d = ix.demandById.get(u.demand_id);
      var reason = u.reason;
      var stand = ix.standby.get(u.date + '\u0000' + u.demand_id);
      var standCell = h('td', { class: 'standins' });
      if (!ix.hasStandby) standCell.appendChild(h('span', { class: 'muted' }, 'not asked for'));
      else if (!stand || !stand.length) standCell.appendChild(h('span', { class: 'muted' }, 'none eligible and free'));
      else stand.forEach(function (sw) {
        standCell.appendChild(h('div', null, h('code', null, sw.worker_id), ' (' + round1(sw.distance_km) + ' km)'));
      });
      body.appendChild(h('tr', { class: u._day === day ? 'current' : null },
        h('td', { class: 'nowrap' }, u.date),
        h('td', null, h('code', null, u.demand_id), d ? h('div', { class: 'farm-of' }, d.farm_id) : null),
        h('td', { class: 'num' }, u.missing),
        h('td', null, reason ? h('span', { class: 'code ' + reason.code, title: REASONS[reason.code] || '' }, reason.code) : '–'),
        h('td', { class: 'why' }, reason ? reason.message : 'no reason asked for (options.explain is false)'),
        standCell));
    });
    if (rows.length === 0) {
      body.appendChild(h('tr', { class: 'empty' }, h('td', { colspan: 6 },
        only ? 'No unfilled slot on this date.' : 'No unfilled slot.')));
    }
    var notes = [];
    if (rows.length > MAX_ROWS) notes.push('Showing the first ' + fmtInt.format(MAX_ROWS) + ' of ' + fmtInt.format(rows.length) + ' rows; tick "only the date shown" to see the rest by date.');
    if (!ix.hasStandby) notes.push('Stand-ins are listed when the problem asks for them (options.standby_per_slot above 0).');
    $('unfilled-note').textContent = notes.join(' ');
    $('unfilled-note').hidden = notes.length === 0;
  }

  /* A worker's assignments as runs of consecutive days on one demand. */
  function runs(list) {
    var out = [];
    list.forEach(function (a) {
      var last = out[out.length - 1];
      if (last && last.demand === a.demand_id && a._day === last.to + 1) {
        last.to = a._day; last.n += 1;
      } else {
        out.push({ demand: a.demand_id, from: a._day, to: a._day, n: 1 });
      }
    });
    return out;
  }

  function renderSchedule() {
    var ix = state.ix, day = state.day;
    var needle = $('schedule-filter').value.trim().toLowerCase();
    var body = clear($('schedule-table').tBodies[0]);
    var shown = 0, matched = 0;
    ix.workers.forEach(function (w) {
      var list = ix.perWorker.get(w.id) || [];
      if (needle && String(w.id).toLowerCase().indexOf(needle) < 0 &&
          !list.some(function (a) { return String(a.demand_id).toLowerCase().indexOf(needle) >= 0; })) return;
      matched += 1;
      if (shown >= MAX_ROWS) return;
      shown += 1;
      var total = 0, today = null;
      list.forEach(function (a) { total += a.distance_km || 0; if (a._day === day) today = a; });
      var cell = h('div', { class: 'runs' });
      runs(list).forEach(function (r) {
        var dates = r.from === r.to ? shortDate(r.from) : shortDate(r.from) + '–' + shortDate(r.to);
        var d = ix.demandById.get(r.demand);
        cell.appendChild(h('span', {
          class: 'run' + (day !== null && r.from <= day && day <= r.to ? ' current' : ''),
          title: dateText(r.from) + (r.n > 1 ? ' to ' + dateText(r.to) + ', ' + r.n + ' days' : '') + (d ? ' · ' + d.farm_id : '')
        }, h('span', { class: 'dates' }, dates), ' ', r.demand));
      });
      if (!list.length) cell.appendChild(h('span', { class: 'muted' }, 'not assigned'));
      body.appendChild(h('tr', { 'data-worker': w.id },
        h('td', null, h('code', null, w.id)),
        h('td', { class: 'num' }, list.length),
        h('td', { class: 'num' }, fmtInt.format(total)),
        h('td', { class: 'nowrap' }, today ? h('code', null, today.demand_id)
          : day !== null && available(ix, w.id, day) ? h('span', { class: 'muted' }, 'free') : h('span', { class: 'muted' }, '–')),
        h('td', null, cell)));
    });
    var note = $('schedule-note');
    note.textContent = matched > shown ? 'Showing ' + fmtInt.format(shown) + ' of ' + fmtInt.format(matched) + ' workers; type in Find to narrow.' : '';
    note.hidden = matched <= shown;
  }

  // ------------------------------------------------------------- downloads

  /* Saves text, or a Blob as the server sent it (byte for byte: a CSV's
     byte order mark survives only this way). */
  function download(name, data, type) {
    var blob = data instanceof Blob ? data : new Blob([data], { type: type });
    var url = URL.createObjectURL(blob);
    var a = h('a', { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function downloadJson() {
    if (!state.solution) return;
    download('farmhand-solution.json', state.solutionText || JSON.stringify(state.solution, null, 2), 'application/json');
  }

  /* CSV and GeoJSON come from the server, so that they are byte for byte what
     the CLI writes (farmhand-sheets' writers): POST v1/export/assignments.csv,
     unfilled.csv, standby.csv (text/csv, UTF-8 with a byte order mark, CRLF)
     and v1/export/geojson (application/geo+json), each given
     {"problem", "solution"} as solved. */
  function downloadExport(path, name) {
    if (!state.problemText || !state.solutionText) return;
    // The texts as sent and answered: the view adds fields of its own to the
    // parsed objects, which the API's strict parsing would refuse.
    var body = '{"problem":' + state.problemText + ',"solution":' + state.solutionText + '}';
    setStatus('busy', 'Preparing ' + name + '…');
    api(path, body, true).then(function (r) {
      if (!r.ok) { showApiError(r, { what: 'The plan', download: true }); return; }
      download(name, r.blob);
      setStatus('ok', 'Downloaded ' + name + '.');
    }, function (err) { setStatus('bad', 'Could not reach the server: ' + err.message); });
  }

  // ------------------------------------------------------------- page mode

  function setStatus(tone, text) {
    var el = $('status');
    el.className = tone || '';
    el.textContent = text;
  }

  /* POSTs JSON to the API; a success comes back as text, or as a Blob when
     `binary` (downloads), an error always as text and parsed JSON. */
  function api(path, body, binary) {
    var headers = { 'content-type': 'application/json' };
    var token = $('token').value.trim();
    if (token) headers.authorization = 'Bearer ' + token;
    // Relative to the page, so that a server behind a path prefix works.
    return fetch(path, { method: 'POST', headers: headers, body: body }).then(function (res) {
      if (binary && res.ok) {
        return res.blob().then(function (blob) { return { ok: true, status: res.status, blob: blob }; });
      }
      return res.text().then(function (text) {
        var json = null;
        try { json = JSON.parse(text); } catch (e) { json = null; }
        return { ok: res.ok, status: res.status, text: text, json: json };
      });
    });
  }

  function describeSource() {
    var inp = state.input;
    var size = function (f) { return f.size >= 1024 ? fmtInt.format(f.size / 1024) + ' KB' : f.size + ' B'; };
    if (inp.kind === 'json') return 'Problem: ' + inp.file.name + ' (' + size(inp.file) + ')';
    if (inp.kind === 'csv') {
      return 'Workers: ' + (inp.workers ? inp.workers.name : 'not chosen') + ' · Demands: ' +
        (inp.demands ? inp.demands.name : 'not chosen');
    }
    return 'No problem chosen yet.';
  }

  /* Takes files from the inputs or a drop: one JSON file, or CSV files told
     apart by name (workers…, demands…) or else by order. */
  function chooseFiles(files, slot) {
    var inp = state.input;
    files = Array.prototype.slice.call(files || []);
    if (!files.length) return;
    var json = files.filter(function (f) { return !/\.csv$/i.test(f.name); });
    if (json.length) {
      inp.kind = 'json'; inp.file = json[0]; inp.workers = inp.demands = null;
    } else {
      inp.kind = 'csv'; inp.file = null;
      files.forEach(function (f, i) {
        var which = slot || (/work/i.test(f.name) ? 'workers' : /demand|farm/i.test(f.name) ? 'demands'
          : i === 0 && !inp.workers ? 'workers' : 'demands');
        inp[which] = f;
      });
    }
    $('source').textContent = describeSource();
    clearErrors();
  }

  function clearErrors() {
    $('errors').hidden = true;
    clear($('errors-list'));
    clear($('errors-warnings'));
    $('errors-warnings').hidden = true;
    $('errors-warnings-head').hidden = true;
  }

  function fillIssues(list, items) {
    items.forEach(function (it) {
      list.appendChild(h('li', null,
        it[0] ? h('code', { class: 'where' }, it[0]) : null,
        it[1] ? h('span', { class: 'subject' }, ' (' + it[1] + ')') : null,
        it[0] || it[1] ? ': ' : '', it[2] || '', it[3] ? h('span', { class: 'muted' }, ' [' + it[3] + ']') : null));
    });
  }

  /* Shows a list of problems; each item is [where, subject, message, code].
     `warnings` (same form, optional) are listed apart: found alongside the
     errors, they do not stop a solve but are worth fixing in the same pass. */
  function showErrors(head, items, warnings) {
    $('errors-head').textContent = head;
    fillIssues(clear($('errors-list')), items);
    var warned = warnings && warnings.length;
    var wlist = clear($('errors-warnings'));
    if (warned) {
      $('errors-warnings-head').textContent = 'Also ' + warnings.length +
        (warnings.length === 1 ? ' warning' : ' warnings') +
        ' (these alone would not stop the solve, but check them while you fix the above):';
      fillIssues(wlist, warnings);
    }
    $('errors-warnings-head').hidden = !warned;
    wlist.hidden = !warned;
    $('errors').hidden = false;
    setStatus('bad', head);
  }

  /* Who a JSON path such as `workers[3].location.lat` is about, by id. */
  function pathSubject(problem, path) {
    var m = /^(workers|demands|locked|previous|travel)\[(\d+)\]/.exec(path || '');
    if (!m || !problem || typeof problem !== 'object') return null;
    var list = problem[m[1]];
    var item = Array.isArray(list) ? list[+m[2]] : null;
    if (!item || typeof item !== 'object') return null;
    switch (m[1]) {
      case 'workers': return 'worker ' + item.id;
      case 'demands': return 'demand ' + item.id;
      case 'travel': return item.worker_id + ' to ' + item.farm_id;
      default: return item.worker_id + ' on ' + item.demand_id + ', ' + item.date;
    }
  }

  /* An error answer of the API, each detail naming the row that caused it. */
  function showApiError(r, ctx) {
    var body = r.json || {};
    var details = Array.isArray(body.details) ? body.details : [];
    var describe = function (d) {
      var where;
      if (d.file) {
        // A spreadsheet's issue: its path is the cell, file:line:column.
        where = d.path || d.file;
      } else if (d.line && ctx.fileName && !ctx.rewritten) {
        where = ctx.fileName + ':' + d.line + ':' + d.column + (d.path ? ' ' + d.path : '');
      } else {
        where = d.path || '(the whole document)';
      }
      return [where, pathSubject(ctx.problem, d.path), d.message, d.code];
    };
    var items = details.map(describe);
    var warnings = (Array.isArray(body.warnings) ? body.warnings : []).map(describe);
    var head;
    var n = details.length + (details.length === 1 ? ' issue' : ' issues');
    if (r.status === 422 && ctx.download) {
      head = 'The plan cannot be exported: its problem has ' + n + '.';
    } else if (r.status === 422) {
      head = (ctx.what || 'The problem') + (ctx.plural ? ' have ' : ' has ') + n +
        '; nothing was solved. Fix ' + (details.length === 1 ? 'it' : 'them') + ' and press Match again.';
    } else if (r.status === 400 && ctx.what) {
      head = (ctx.what) + (ctx.plural ? ' were' : ' was') + ' not accepted: ' + (body.message || 'malformed');
    } else if (r.status === 400) {
      head = 'The file is not a problem in JSON: ' + (body.message || 'malformed');
    } else if (r.status === 401) {
      head = 'The server asks for an API token: enter it under Options and press Match again.';
      $('token').focus();
    } else {
      head = 'The server answered ' + r.status + ': ' + (body.message || r.text.slice(0, 200));
    }
    showErrors(head, items, warnings);
  }

  /* A file's bytes as base64: CSV files from Excel on a Korean Windows are
     CP949, which only the server can decode, so the bytes go as they are to
     POST v1/sheets/problem {"workers": {"name", "base64"}, "demands": {...},
     "encoding": "auto"}. It answers the Problem, or 422 with every issue of
     both files, each with its cell as `path` (workers.csv:7:lat) and
     `file`, `line`, `column_name` apart. */
  function readBase64(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () {
        var url = String(reader.result);
        resolve(url.slice(url.indexOf(',') + 1));
      };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(file);
    });
  }

  function readText(file) {
    if (file.text) return file.text();
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsText(file);
    });
  }

  /* Match: (CSV to a problem,) the problem to a solution, then the view. */
  function runMatch() {
    var inp = state.input;
    clearErrors();
    if (!inp.kind || (inp.kind === 'csv' && (!inp.workers || !inp.demands))) {
      showErrors(inp.kind === 'csv' ? 'Choose both CSV files, workers and demands.' : 'Choose a problem file first.', []);
      return;
    }
    var button = $('match-button');
    button.disabled = true;
    var ctx = { fileName: inp.kind === 'json' ? inp.file.name : null, problem: null, rewritten: false };
    var source = inp.kind === 'json' ? inp.file.name : inp.workers.name + ' + ' + inp.demands.name;
    var problemText;
    var started = performance.now();
    var toProblem;
    if (inp.kind === 'json') {
      setStatus('busy', 'Solving…');
      toProblem = readText(inp.file);
    } else {
      setStatus('busy', 'Reading the CSV files…');
      toProblem = Promise.all([readBase64(inp.workers), readBase64(inp.demands)]).then(function (data) {
        return api('v1/sheets/problem', JSON.stringify({
          workers: { name: inp.workers.name, base64: data[0] },
          demands: { name: inp.demands.name, base64: data[1] },
          encoding: 'auto'
        }));
      }).then(function (r) {
        if (!r.ok) { showApiError(r, { what: 'The CSV files', plural: true }); return null; }
        setStatus('busy', 'Solving…');
        return r.text;
      });
    }
    toProblem.then(function (text) {
      if (text === null) return null;
      problemText = text;
      try { ctx.problem = JSON.parse(text); } catch (e) { ctx.problem = null; }
      var standby = $('standby').value.trim();
      if (standby !== '' && ctx.problem && typeof ctx.problem === 'object' && !Array.isArray(ctx.problem)) {
        ctx.problem.options = Object.assign({}, ctx.problem.options, { standby_per_slot: Number(standby) });
        problemText = JSON.stringify(ctx.problem);
        ctx.rewritten = true;
      }
      return api('v1/match', problemText).then(function (r) {
        if (!r.ok) { showApiError(r, ctx); return; }
        var solution = r.json;
        state.problemText = problemText;
        state.solutionText = r.text;
        show(ctx.problem, solution, source);
        var sm = solution.summary || {};
        setStatus('ok', 'Solved: ' + pct(sm.fill_rate || 0) + ' filled (' + round1((performance.now() - started) / 1000) + ' s).');
      });
    }).catch(function (err) {
      setStatus('bad', 'Could not reach the server: ' + (err && err.message ? err.message : err));
    }).then(function () { button.disabled = false; });
  }

  function startPage() {
    $('input-panel').hidden = false;
    $('empty-note').hidden = false;
    $('source').textContent = describeSource();
    var token = $('token');
    try { token.value = sessionStorage.getItem(TOKEN_KEY) || ''; } catch (e) { /* storage off */ }
    token.addEventListener('input', function () {
      try { sessionStorage.setItem(TOKEN_KEY, token.value); } catch (e) { /* storage off */ }
    });
    $('problem-file').addEventListener('change', function (e) { chooseFiles(e.target.files); });
    $('workers-file').addEventListener('change', function (e) { chooseFiles(e.target.files, 'workers'); });
    $('demands-file').addEventListener('change', function (e) { chooseFiles(e.target.files, 'demands'); });
    var zone = $('drop-zone');
    zone.addEventListener('dragover', function (e) { e.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', function () { zone.classList.remove('over'); });
    zone.addEventListener('drop', function (e) {
      e.preventDefault();
      zone.classList.remove('over');
      chooseFiles(e.dataTransfer.files);
    });
    zone.addEventListener('click', function () { $('problem-file').click(); });
    zone.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); $('problem-file').click(); }
    });
    $('match-button').addEventListener('click', runMatch);
    $('download-assignments-csv').addEventListener('click', function () {
      downloadExport('v1/export/assignments.csv', 'farmhand-assignments.csv');
    });
    $('download-unfilled-csv').addEventListener('click', function () {
      downloadExport('v1/export/unfilled.csv', 'farmhand-unfilled.csv');
    });
    $('download-standby-csv').addEventListener('click', function () {
      downloadExport('v1/export/standby.csv', 'farmhand-standby.csv');
    });
    $('download-geojson').addEventListener('click', function () {
      downloadExport('v1/export/geojson', 'farmhand-plan.geojson');
    });
  }

  function startReport() {
    var data = null;
    try { data = JSON.parse($('farmhand-data').textContent); } catch (e) { data = null; }
    if (!data || !data.problem || !data.solution) {
      $('empty-note').hidden = false;
      $('empty-note').textContent = 'This report holds no plan.';
      return;
    }
    // Kept as text before the view adds its own fields to the objects, so
    // that the JSON download is the solution as embedded.
    state.solutionText = JSON.stringify(data.solution, null, 2);
    show(data.problem, data.solution, null);
  }

  // ------------------------------------------------------------------ wiring

  $('prev-date').addEventListener('click', function () { step(-1); });
  $('next-date').addEventListener('click', function () { step(1); });
  $('date-select').addEventListener('change', function (e) { setDay(+e.target.value); });
  $('unfilled-only-date').addEventListener('change', renderUnfilled);
  $('schedule-filter').addEventListener('input', renderSchedule);
  $('download-json').addEventListener('click', downloadJson);
  document.addEventListener('keydown', function (e) {
    var tag = e.target && e.target.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || e.altKey || e.ctrlKey || e.metaKey) return;
    if (!state.ix) return;
    if (e.key === 'ArrowLeft') { e.preventDefault(); step(-1); }
    if (e.key === 'ArrowRight') { e.preventDefault(); step(1); }
  });

  if (state.mode === 'page') startPage(); else startReport();
})();
