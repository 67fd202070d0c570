'use strict';
// The live page's script, inlined into live-page.html with the response's CSP nonce: the /ws
// client (subscribe, resume with `since`, capped exponential backoff, the token, the account and
// region filter) and one renderer per stream. Every string from the data reaches the DOM as a text node or an attribute value,
// never as markup; severity and state classes come from fixed lists.
(() => {
  // ---- Streams and limits ----------------------------------------------------------------
  const STREAM_NAMES = ['aws-metrics', 'aws-logs', 'aws-activity', 'aws-costs', 'aws-security', 'aws-health'];
  // The panels in page order: the stream, its heading, and whether it spans the page.
  const PANELS = [
    ['aws-metrics', 'Metrics', true], ['aws-activity', 'CloudTrail activity', false],
    ['aws-security', 'Security Hub findings', false], ['aws-costs', 'Costs, month to date', false],
    ['aws-health', 'AWS Health', false], ['aws-logs', 'Recent log lines', true],
  ];
  const TOKEN_KEY = 'aws-realtime.token';
  const BACKOFF_FIRST_MS = 500;
  const BACKOFF_CAP_MS = 30000;
  const SUBSCRIBE_RETRY_MS = 5000;
  const PING_EVERY_MS = 25000;
  const MAX_POINTS = 120;
  const MAX_CHARTS = 24;
  // At most this many accounts and regions offered in the selectors (those seen in envelopes).
  const MAX_CHOICES = 200;
  const ACCOUNT_PATTERN = /^[0-9]{12}$/;
  const REGION_PATTERN = /^[a-z]+(-[a-z0-9]+)+$|^global$/;
  const requiresToken = document.body.dataset.auth === 'required';
  // stream-state envelopes: whether the worker can read a stream's AWS source, and why not.
  const STREAM_STATE_TYPE = 'stream-state';
  const SOURCE_STATES = ['live', 'degraded', 'unavailable'];
  // What the AWS error codes the worker marks unavailable mean for an operator.
  const SOURCE_HINTS = {
    SubscriptionRequiredException: 'AWS Health needs a Business, Enterprise On-Ramp or Enterprise support plan',
    InvalidAccessException: 'Security Hub is not enabled in this account and region',
    AccessDeniedException: 'the worker\'s credentials are not allowed to call this API',
    AccessDenied: 'the worker\'s credentials are not allowed to call this API',
    UnauthorizedOperation: 'the worker\'s credentials are not allowed to call this API',
    UnauthorizedException: 'the worker\'s credentials are not allowed to call this API',
    AuthorizationError: 'the worker\'s credentials are not allowed to call this API',
    OptInRequired: 'the account has not opted in to this service',
    NotSubscribedException: 'the account is not subscribed to this service',
    UnrecognizedClientException: 'AWS does not recognise the worker\'s credentials',
    InvalidClientTokenId: 'AWS does not recognise the worker\'s credentials',
  };

  // ---- Small helpers: text only, never markup --------------------------------------------
  function el(tag, attrs, ...children) {
    return fill(document.createElement(tag), attrs, children);
  }
  function svg(tag, attrs, ...children) {
    return fill(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs, children);
  }
  function fill(node, attrs, children) {
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const $ = (id) => document.getElementById(id);
  const str = (value) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
  const num = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  const list = (value) => (Array.isArray(value) ? value : []);
  const record = (value) => (value && typeof value === 'object' && !Array.isArray(value) ? value : {});
  const millis = (iso) => { const t = Date.parse(str(iso)); return Number.isNaN(t) ? null : t; };
  const byNewest = (key) => (a, b) => str(b[key]).localeCompare(str(a[key]));

  function clockTime(iso) {
    const t = millis(iso);
    if (t === null) return str(iso);
    const date = new Date(t);
    const sameDay = new Date().toDateString() === date.toDateString();
    return sameDay ? date.toLocaleTimeString() : date.toLocaleString();
  }
  // Hours and minutes (with the date when not today): "13:00".
  function shortTime(iso) {
    const t = millis(iso);
    if (t === null) return str(iso);
    const date = new Date(t);
    const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return new Date().toDateString() === date.toDateString() ? time : date.toLocaleDateString() + ' ' + time;
  }
  function timeCell(iso) {
    return el('td', { class: 'time', title: str(iso) }, clockTime(iso));
  }
  function ago(ms) {
    const seconds = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (seconds < 5) return 'just now';
    if (seconds < 60) return seconds + ' s ago';
    if (seconds < 3600) return Math.floor(seconds / 60) + ' min ago';
    if (seconds < 86400) return Math.floor(seconds / 3600) + ' h ago';
    return new Date(ms).toLocaleString();
  }
  function formatNumber(value, digits) {
    return value.toLocaleString(undefined, { maximumFractionDigits: digits });
  }
  function formatMoney(amount, currency) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: str(currency) || 'USD' }).format(amount);
    } catch (error) {
      return formatNumber(amount, 2) + ' ' + str(currency);
    }
  }
  const UNIT_SUFFIX = {
    Percent: ' %', Seconds: ' s', Milliseconds: ' ms', Microseconds: ' µs', Bytes: ' B', Kilobytes: ' kB',
    Megabytes: ' MB', Gigabytes: ' GB', 'Bytes/Second': ' B/s', 'Count/Second': ' /s',
  };
  function formatMetric(value, unit) {
    if (unit === 'Bytes' && Math.abs(value) >= 1024) {
      const units = ['kB', 'MB', 'GB', 'TB'];
      let scaled = value / 1024, index = 0;
      while (Math.abs(scaled) >= 1024 && index < units.length - 1) { scaled /= 1024; index += 1; }
      return formatNumber(scaled, 1) + ' ' + units[index];
    }
    return formatNumber(value, Math.abs(value) >= 100 ? 0 : 2) + (UNIT_SUFFIX[unit] || '');
  }
  function table(headings, rows) {
    return el('table', {},
      el('thead', {}, el('tr', {}, headings.map((heading) => el('th', {}, heading)))),
      el('tbody', {}, rows));
  }
  function emptyNote(text) { return el('p', { class: 'empty' }, text); }
  // Replaces the container's children (null and false children are left out).
  function show(container, ...children) {
    container.replaceChildren();
    fill(container, {}, children);
  }
  const plural = (count, noun) => count + ' ' + noun + (count === 1 ? '' : 's');

  // Severity classes come from these fixed lists only.
  const SEVERITY_CLASS = {
    CRITICAL: 'sev-critical', HIGH: 'sev-high', MEDIUM: 'sev-medium', LOW: 'sev-low', INFORMATIONAL: 'sev-info',
  };
  const SEVERITY_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];
  function severityBadge(className, text) { return el('span', { class: 'sev ' + className }, text); }
  // ---- One renderer per stream -----------------------------------------------------------
  // Each owns its model: reset() forgets it, ingest(data) merges one envelope's data,
  // render(container) draws it, summary() is the overview line, staleAfterMs() the age
  // after which a snapshot stream counts as stale (null: event streams are quiet by nature).

  const metricsRenderer = {
    series: new Map(),
    reset() { this.series.clear(); },
    ingest(data) {
      // Per series and timestamp, the newest envelope's value wins (partial points settle later).
      for (const raw of list(record(data).series)) {
        const item = record(raw);
        const id = str(item.id);
        if (!id) continue;
        const entry = this.series.get(id) || { points: new Map() };
        entry.meta = {
          namespace: str(item.namespace), metric: str(item.metric), statistic: str(item.statistic),
          unit: str(item.unit), period: num(item.period) || 60, dimensions: record(item.dimensions),
        };
        for (const rawPoint of list(item.points)) {
          const point = record(rawPoint);
          const value = num(point.v);
          if (!str(point.t) || value === null) continue;
          entry.points.set(str(point.t), { t: str(point.t), v: value, partial: point.partial === true });
        }
        const keys = [...entry.points.keys()].sort();
        for (const old of keys.slice(0, Math.max(0, keys.length - MAX_POINTS))) entry.points.delete(old);
        this.series.set(id, entry);
      }
    },
    staleAfterMs() {
      let period = 60;
      for (const entry of this.series.values()) period = Math.max(period, entry.meta.period);
      return 3 * period * 1000;
    },
    summary() { return this.series.size + ' series'; },
    render(container) {
      if (this.series.size === 0) return show(container, emptyNote('No metric series yet.'));
      const entries = [...this.series.entries()].sort(([a], [b]) => a.localeCompare(b));
      const cards = entries.slice(0, MAX_CHARTS).map(([id, entry]) => this.card(id, entry));
      const hidden = entries.length - MAX_CHARTS;
      const more = hidden > 0 ? emptyNote('and ' + hidden + ' more series') : null;
      show(container, el('div', { class: 'charts' }, cards), more);
    },
    card(id, entry) {
      const points = [...entry.points.values()].sort((a, b) => a.t.localeCompare(b.t));
      const latest = points[points.length - 1];
      const meta = entry.meta;
      const dimensions = Object.entries(meta.dimensions).map(([key, value]) => key + '=' + str(value)).join(', ');
      const values = points.map((point) => point.v);
      return el('div', { class: 'chart', 'data-series': id },
        el('div', { class: 'chart-title', title: meta.namespace + ' ' + meta.metric }, meta.metric),
        el('div', { class: 'chart-sub', title: dimensions }, meta.namespace + (dimensions ? ' · ' + dimensions : '')),
        el('div', { class: 'chart-value' },
          latest ? formatMetric(latest.v, meta.unit) : '–',
          el('span', { class: 'muted' }, ' ' + meta.statistic + ' / ' + meta.period + ' s' +
            (latest && latest.partial ? ' (filling)' : ''))),
        sparkline(points, meta),
        values.length
          ? el('div', { class: 'chart-range' },
              el('span', {}, 'min ' + formatMetric(Math.min(...values), meta.unit)),
              el('span', {}, 'max ' + formatMetric(Math.max(...values), meta.unit)))
          : null);
    },
  };

  function sparkline(points, meta) {
    const width = 240, height = 60, pad = 4;
    const chart = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, preserveAspectRatio: 'none', role: 'img',
      'aria-label': meta.metric + ', ' + points.length + ' points', 'data-points': points.length });
    if (points.length === 0) return chart;
    const values = points.map((point) => point.v);
    let low = Math.min(...values), high = Math.max(...values);
    if (low === high) { low -= 1; high += 1; }
    const x = (index) => points.length === 1 ? width / 2 : pad + (index * (width - 2 * pad)) / (points.length - 1);
    const y = (value) => height - pad - ((value - low) * (height - 2 * pad)) / (high - low);
    const coordinates = points.map((point, index) => x(index).toFixed(1) + ',' + y(point.v).toFixed(1));
    const base = (height - pad).toFixed(1);
    chart.append(
      svg('polygon', { class: 'area', points: x(0).toFixed(1) + ',' + base + ' ' + coordinates.join(' ') + ' ' +
        x(points.length - 1).toFixed(1) + ',' + base }),
      svg('polyline', { class: 'line', points: coordinates.join(' ') }));
    const last = points[points.length - 1];
    chart.append(svg('circle', { class: last.partial ? 'dot partial' : 'dot', cx: x(points.length - 1).toFixed(1),
      cy: y(last.v).toFixed(1), r: 2.5 }, svg('title', {}, last.t + ': ' + last.v)));
    return chart;
  }

  const logsRenderer = {
    events: [],
    ids: new Set(),
    limit: 40,
    reset() { this.events = []; this.ids.clear(); },
    ingest(data) {
      for (const raw of list(record(data).events)) {
        const event = record(raw);
        const key = str(event.logGroup) + '|' + str(event.id);
        if (this.ids.has(key)) continue;
        this.ids.add(key);
        this.events.push(event);
      }
      this.events.sort(byNewest('timestamp'));
      for (const dropped of this.events.splice(this.limit)) {
        this.ids.delete(str(dropped.logGroup) + '|' + str(dropped.id));
      }
    },
    staleAfterMs() { return null; },
    summary() { return plural(this.events.length, 'line'); },
    render(container) {
      if (this.events.length === 0) return show(container, emptyNote('No log events yet.'));
      show(container, el('ol', { class: 'logs' }, this.events.map((event) =>
        el('li', {},
          el('span', { class: 'time', title: str(event.timestamp) }, clockTime(event.timestamp)),
          el('span', { class: 'log-group mono', title: str(event.logGroup) + ' ' + str(event.logStream) },
            str(event.logGroup)),
          el('pre', { class: 'log-message mono' }, str(event.message).replace(/\s+$/, '').slice(0, 4000))))));
    },
  };

  // CloudTrail has no severity: failed calls are high, root's calls critical, writes medium, reads low.
  function activityKind(event) {
    if (str(record(event.who).type) === 'Root') return { className: 'sev-critical', label: 'root' };
    if (str(event.errorCode)) return { className: 'sev-high', label: 'failed' };
    if (event.readOnly === false) return { className: 'sev-medium', label: 'write' };
    if (event.readOnly === true) return { className: 'sev-low', label: 'read' };
    return { className: 'sev-info', label: 'event' };
  }

  function actorName(who) {
    if (str(who.type) === 'Root') return 'root';
    return str(who.userName) || str(who.principalId) || str(who.type) || 'unknown';
  }

  const activityRenderer = {
    events: new Map(),
    limit: 50,
    reset() { this.events.clear(); },
    ingest(data) {
      for (const raw of list(record(data).events)) {
        const event = record(raw);
        if (str(event.id)) this.events.set(str(event.id), event);
      }
      trimMap(this.events, 'time', this.limit * 4);
    },
    staleAfterMs() { return null; },
    summary() { return plural(this.events.size, 'event'); },
    render(container) {
      if (this.events.size === 0) return show(container, emptyNote('No CloudTrail events yet.'));
      const newest = [...this.events.values()].sort(byNewest('time')).slice(0, this.limit);
      show(container, table(['Time', 'Kind', 'Event', 'Who', 'From', 'Resources'], newest.map((event) => {
        const kind = activityKind(event);
        const who = record(event.who);
        const resources = list(event.resources).map((resource) => str(record(resource).name)).filter(Boolean);
        return el('tr', { class: kind.className, 'data-id': str(event.id) },
          timeCell(event.time),
          el('td', {}, severityBadge(kind.className, kind.label)),
          el('td', { title: str(event.eventSource) },
            el('strong', {}, str(event.eventName)), ' ', el('span', { class: 'muted' }, str(event.eventSource)),
            str(event.errorCode)
              ? el('div', { class: 'muted' }, str(event.errorCode) + ': ' + str(event.errorMessage))
              : null),
          el('td', { class: 'nowrap', title: str(who.arn) }, actorName(who)),
          el('td', { class: 'mono nowrap', title: str(event.userAgent) }, str(event.sourceIPAddress)),
          el('td', { class: 'mono' }, resources.slice(0, 3).join(', ') + (resources.length > 3 ? ' …' : '')));
      })));
    },
  };

  const securityRenderer = {
    findings: new Map(),
    limit: 50,
    reset() { this.findings.clear(); },
    ingest(data) {
      for (const raw of list(record(data).findings)) {
        const finding = record(raw);
        if (str(finding.id)) this.findings.set(str(finding.id), finding);
      }
      trimMap(this.findings, 'updatedAt', this.limit * 4);
    },
    staleAfterMs() { return null; },
    summary() { return plural(this.findings.size, 'finding'); },
    render(container) {
      if (this.findings.size === 0) return show(container, emptyNote('No Security Hub findings yet.'));
      const all = [...this.findings.values()];
      const labelOf = (finding) => str(record(finding.severity).label).toUpperCase();
      const counts = SEVERITY_ORDER.map((label) => [label, all.filter((finding) => labelOf(finding) === label).length])
        .filter(([, count]) => count > 0)
        .map(([label, count]) => severityBadge(SEVERITY_CLASS[label], count + ' ' + label.toLowerCase()));
      const newest = all.sort(byNewest('updatedAt')).slice(0, this.limit);
      show(container, el('div', { class: 'counts' }, counts),
        table(['Severity', 'Finding', 'Resource', 'Status', 'Updated'], newest.map((finding) => {
          const label = str(record(finding.severity).label).toUpperCase();
          const className = SEVERITY_CLASS[label] || 'sev-info';
          const resource = record(list(finding.resources)[0]);
          const closed = finding.recordState === 'ARCHIVED' || finding.workflowStatus === 'RESOLVED' ||
            finding.workflowStatus === 'SUPPRESSED';
          return el('tr', { class: className + (closed ? ' is-closed' : ''), 'data-id': str(finding.id) },
            el('td', {}, severityBadge(className, label || 'UNKNOWN')),
            el('td', { title: str(finding.generator) }, str(finding.title),
              el('div', { class: 'muted' },
                [str(finding.product), str(finding.account), str(finding.region)].filter(Boolean).join(' · '))),
            el('td', { class: 'mono', title: str(resource.type) }, str(resource.id)),
            el('td', {}, [str(finding.workflowStatus), str(finding.complianceStatus)].filter(Boolean).join(' · ')),
            timeCell(finding.updatedAt));
        })));
    },
  };

  const costsRenderer = {
    data: null,
    reset() { this.data = null; },
    ingest(data) { this.data = record(data); },
    staleAfterMs() { return 13 * 3600 * 1000; },
    summary() { return this.data ? formatMoney(num(this.data.total) || 0, this.data.currency) + ' so far' : ''; },
    render(container) {
      const data = this.data;
      if (!data) return show(container, emptyNote('No cost data yet.'));
      const total = num(data.total) || 0;
      const forecast = num(record(data.forecast).amount);
      const groups = list(data.byGroup).map(record).filter((group) => num(group.amount) !== null)
        .sort((a, b) => b.amount - a.amount);
      const top = groups.length ? Math.max(groups[0].amount, 0.000001) : 1;
      show(container, 
        el('div', { class: 'cost-total', 'data-role': 'total' }, formatMoney(total, data.currency),
          data.estimated === true ? el('span', { class: 'muted' }, ' estimated') : null),
        el('p', { class: 'cost-line' }, 'From ' + str(data.start) + ' to ' + str(data.end) + ' (exclusive)'),
        forecast !== null
          ? el('p', { class: 'cost-line', 'data-role': 'forecast' }, 'Forecast for the month: ',
              el('strong', {}, formatMoney(forecast, data.currency)))
          : el('p', { class: 'cost-line', 'data-role': 'forecast' }, 'No forecast'),
        forecast ? progressBar(total / forecast) : null,
        dailyBars(list(data.byDay).map(record)),
        table([str(data.groupBy) === 'SERVICE' ? 'Service' : str(data.groupBy) || 'Group', '', 'Amount'],
          groups.slice(0, 12).map((group) => el('tr', {},
            el('td', {}, str(group.key)),
            el('td', { class: 'bar-cell' }, barOf(group.amount / top)),
            el('td', { class: 'amount' }, formatMoney(group.amount, data.currency))))));
    },
  };

  function barOf(fraction) {
    const bar = el('div', { class: 'bar' });
    bar.style.width = (Math.max(0, Math.min(1, fraction)) * 100).toFixed(1) + '%';
    return bar;
  }
  function progressBar(fraction) {
    const outer = el('div', { class: 'cost-progress', title: Math.round(fraction * 100) + ' % of the forecast' });
    outer.append(barOf(fraction));
    return outer;
  }
  function dailyBars(days) {
    const amounts = days.map((day) => num(day.amount) || 0);
    if (amounts.length === 0) return null;
    const width = 300, height = 48, gap = 2;
    const high = Math.max(...amounts, 0.000001);
    const step = width / amounts.length;
    return svg('svg', { class: 'days', viewBox: '0 0 ' + width + ' ' + height, preserveAspectRatio: 'none', role: 'img',
      'aria-label': 'cost by day' },
      days.map((day, index) => {
        const barHeight = Math.max(1, (amounts[index] / high) * (height - 2));
        return svg('rect', { class: day.estimated === true ? 'estimated' : null, x: (index * step + gap / 2).toFixed(1),
          y: (height - barHeight).toFixed(1), width: Math.max(1, step - gap).toFixed(1), height: barHeight.toFixed(1) },
          svg('title', {}, str(day.date) + ': ' + formatNumber(amounts[index], 2)));
      }));
  }

  function healthClass(event) {
    if (event.status === 'closed') return 'sev-info';
    if (event.status === 'upcoming') return 'sev-low';
    return event.category === 'issue' ? 'sev-high' : 'sev-medium';
  }

  const healthRenderer = {
    events: new Map(),
    limit: 25,
    reset() { this.events.clear(); },
    ingest(data) {
      for (const raw of list(record(data).events)) {
        const event = record(raw);
        if (str(event.arn)) this.events.set(str(event.arn), event);
      }
      trimMap(this.events, 'lastUpdatedTime', this.limit * 4);
    },
    staleAfterMs() { return null; },
    summary() {
      const open = [...this.events.values()].filter((event) => event.status === 'open').length;
      return plural(this.events.size, 'event') + ', ' + open + ' open';
    },
    render(container) {
      if (this.events.size === 0) return show(container, emptyNote('No AWS Health events.'));
      const newest = [...this.events.values()].sort(byNewest('lastUpdatedTime')).slice(0, this.limit);
      const headings = ['Status', 'Service', 'Event', 'Where', 'Started', 'Updated'];
      show(container, table(headings, newest.map((event) => {
        const className = healthClass(event);
        return el('tr', { class: className + (event.status === 'closed' ? ' is-closed' : ''), 'data-id': str(event.arn) },
          el('td', {}, severityBadge(className, str(event.status))),
          el('td', {}, str(event.service)),
          el('td', { class: 'mono', title: str(event.arn) }, str(event.typeCode),
            el('div', { class: 'muted' }, str(event.category) + (event.scope ? ' · ' + str(event.scope) : ''))),
          el('td', {}, str(event.availabilityZone) || str(event.region) || 'global'),
          timeCell(event.startTime),
          timeCell(event.lastUpdatedTime));
      })));
    },
  };

  // Keeps the newest `limit` values of a map by `key` (ISO times sort as text).
  function trimMap(map, key, limit) {
    if (map.size <= limit) return;
    const oldest = [...map.entries()].sort(([, a], [, b]) => str(a[key]).localeCompare(str(b[key])));
    for (const [id] of oldest.slice(0, map.size - limit)) map.delete(id);
  }

  const RENDERERS = {
    'aws-metrics': metricsRenderer, 'aws-logs': logsRenderer, 'aws-activity': activityRenderer,
    'aws-costs': costsRenderer, 'aws-security': securityRenderer, 'aws-health': healthRenderer,
  };
  // ---- Stream state: waiting / live / stale / error, or the source's degraded / unavailable --
  const streams = {};
  for (const name of STREAM_NAMES) {
    streams[name] = {
      name, lastId: null, producedAt: null, receivedAt: null, error: null,
      pending: false, subscribed: false, resync: false, resuming: false, retryTimer: null,
      // The data of the latest stream-state envelope (null: none since the snapshot, live).
      source: null,
      panel: null, tile: null,
    };
  }

  function stateOf(stream) {
    if (stream.error) return 'error';
    const source = sourceStateOf(stream);
    if (source !== 'live') return source;
    if (stream.receivedAt === null) return 'waiting';
    if (!connection.isOpen) return 'stale';
    const staleAfter = RENDERERS[stream.name].staleAfterMs();
    if (staleAfter !== null && stream.producedAt !== null && Date.now() - stream.producedAt > staleAfter) return 'stale';
    return 'live';
  }

  // The worker's word on the AWS source: one of a fixed list (it becomes an attribute value).
  function sourceStateOf(stream) {
    const state = stream.source ? str(stream.source.state) : 'live';
    return SOURCE_STATES.includes(state) ? state : 'live';
  }

  // "unavailable: SubscriptionRequiredException — AWS Health needs … (retry 13:00)"; in a
  // tile, short: "SubscriptionRequiredException (retry 13:00)".
  function sourceText(stream, isShort) {
    const source = record(stream.source);
    const state = sourceStateOf(stream);
    const code = str(source.code);
    let text = isShort ? code || state : state + (code ? ': ' + code : '');
    const detail = SOURCE_HINTS[code] || str(source.message);
    if (detail && !isShort) text += ' — ' + detail;
    if (state === 'unavailable' && millis(source.retryAt) !== null) {
      text += ' (retry ' + shortTime(source.retryAt) + ')';
    } else if (millis(source.since) !== null) {
      text += ' (since ' + shortTime(source.since) + ')';
    }
    return text;
  }

  // The whole error, on hover: operation, code and AWS's own message.
  function sourceTitle(stream) {
    const source = record(stream.source);
    const parts = [str(source.operation), str(source.code), str(source.message)].filter(Boolean);
    return parts.join(': ') + (millis(source.since) !== null ? ' · since ' + str(source.since) : '');
  }

  function buildPanels() {
    const main = document.querySelector('main');
    for (const [name, title, isWide] of PANELS) {
      const stream = streams[name];
      stream.panel = el('section',
        { class: isWide ? 'panel panel-wide' : 'panel', id: 'panel-' + name, 'data-stream': name, 'data-state': 'waiting' },
        el('div', { class: 'panel-head' }, el('h2', {}, title),
          el('span', { class: 'state-badge', 'data-role': 'state' }, 'waiting'),
          el('span', { class: 'updated', 'data-role': 'updated' })),
        el('p', { class: 'source-note', 'data-role': 'source', 'data-source': 'live', hidden: true }),
        el('div', { class: 'content' }));
      main.append(stream.panel);
    }
  }

  function buildOverview() {
    const overview = $('overview');
    for (const name of STREAM_NAMES) {
      const stream = streams[name];
      stream.tile = el('li', { class: 'tile', id: 'tile-' + name, 'data-stream': name, 'data-state': 'waiting' },
        el('div', { class: 'tile-name' }, name, ' ', el('span', { class: 'state-badge' }, 'waiting')),
        el('div', { class: 'tile-line', 'data-role': 'updated' }, 'no data yet'),
        el('div', { class: 'tile-line', 'data-role': 'summary' }, ''),
        el('div', { class: 'tile-line source-note', 'data-role': 'source', 'data-source': 'live', hidden: true }, ''));
      overview.append(stream.tile);
    }
  }

  function showState(stream) {
    const state = stateOf(stream);
    const source = sourceStateOf(stream);
    const renderer = RENDERERS[stream.name];
    const updated = stream.producedAt !== null ? 'updated ' + ago(stream.producedAt) : 'no data yet';
    const title = stream.producedAt !== null ? new Date(stream.producedAt).toISOString() + ' · id ' + stream.lastId : '';
    for (const node of [stream.panel, stream.tile]) {
      if (!node) continue;
      node.dataset.state = state;
      node.querySelector('.state-badge').textContent = state;
      const line = node.querySelector('[data-role="updated"]');
      line.textContent = stream.error ? stream.error : updated;
      line.title = title;
      const badge = node.querySelector('[data-role="source"]');
      badge.dataset.source = source;
      badge.hidden = source === 'live';
      badge.textContent = source === 'live' ? '' : sourceText(stream, node === stream.tile);
      badge.title = source === 'live' ? '' : sourceTitle(stream);
    }
    if (stream.tile) {
      stream.tile.querySelector('[data-role="summary"]').textContent = stream.receivedAt !== null ? renderer.summary() : '';
    }
  }

  function showAllStates() { for (const name of STREAM_NAMES) showState(streams[name]); }

  function renderStream(stream) {
    const container = stream.panel.querySelector('.content');
    if (stream.error && stream.receivedAt === null) {
      show(container, el('p', { class: 'stream-error' }, stream.error));
    } else {
      RENDERERS[stream.name].render(container);
    }
    showState(stream);
  }

  // ---- Banner ------------------------------------------------------------------------------
  function showBanner(kind, text, options) {
    const banner = $('banner');
    banner.dataset.kind = kind;
    banner.hidden = false;
    $('banner-text').textContent = text;
    $('retry').hidden = !(options && options.retry);
    $('token-form').hidden = !(options && options.token);
  }
  function hideBanner() {
    const banner = $('banner');
    banner.hidden = true;
    banner.dataset.kind = 'none';
  }
  function setConnectionLabel(state, text) {
    const label = $('conn');
    label.dataset.state = state;
    label.textContent = text;
  }
  let noticeTimer = null;
  function showNotice(text) {
    const notice = $('notice');
    notice.textContent = text;
    notice.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { notice.hidden = true; }, 15000);
  }

  // ---- Token: ?token= in the URL (then removed from the address bar) or the form ----------
  function readToken() {
    const url = new URL(location.href);
    const fromURL = url.searchParams.get('token');
    if (fromURL) {
      storeToken(fromURL);
      url.searchParams.delete('token');
      history.replaceState(null, '', url.pathname + url.search + url.hash);
      return fromURL;
    }
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (error) { return null; }
  }
  function storeToken(token) {
    try { sessionStorage.setItem(TOKEN_KEY, token); } catch (error) { /* storage disabled: keep it in memory */ }
  }

  // ---- Connection: /ws on this origin, exponential backoff with a cap, resume with since ---
  const connection = {
    socket: null, isOpen: false, attempt: 0, reconnectTimer: null, countdownTimer: null, pingTimer: null,
    token: readToken(),
  };

  const CLOSE_REASONS = { 1001: 'going away', 1006: 'connection lost', 1011: 'server error', 1013: 'try again later' };

  function socketURL() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = connection.token ? '?token=' + encodeURIComponent(connection.token) : '';
    return scheme + '//' + location.host + '/ws' + query;
  }

  function connect() {
    clearTimeout(connection.reconnectTimer);
    clearInterval(connection.countdownTimer);
    dropSocket();
    if (requiresToken && !connection.token) {
      setConnectionLabel('auth', 'token needed');
      showBanner('auth', 'Auth required: this gateway needs a token. Open the page with ?token=<jwt>, or paste one here.',
        { token: true });
      return;
    }
    setConnectionLabel(connection.attempt === 0 ? 'connecting' : 'reconnecting', 'connecting…');
    let socket;
    try {
      socket = new WebSocket(socketURL());
    } catch (error) {
      scheduleReconnect('Cannot open a WebSocket: ' + str(error && error.message));
      return;
    }
    connection.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      connection.isOpen = true;
      hideBanner();
      setConnectionLabel('connected', 'live');
      for (const name of STREAM_NAMES) subscribe(streams[name]);
      connection.pingTimer = setInterval(() => send({ op: 'ping' }), PING_EVERY_MS);
      showAllStates();
    };
    socket.onmessage = (event) => { if (typeof event.data === 'string') onMessage(event.data); };
    socket.onclose = (event) => {
      if (connection.socket !== socket) return;
      connection.socket = null;
      connection.isOpen = false;
      clearInterval(connection.pingTimer);
      for (const name of STREAM_NAMES) {
        const stream = streams[name];
        stream.pending = false;
        stream.subscribed = false;
        clearTimeout(stream.retryTimer);
      }
      showAllStates();
      onClosed(event, opened);
    };
  }

  // Forgets the current socket (its close event is then ignored) and closes it.
  function dropSocket() {
    const socket = connection.socket;
    connection.socket = null;
    connection.isOpen = false;
    clearInterval(connection.pingTimer);
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, 'reconnecting');
  }

  async function onClosed(event, opened) {
    if (opened) {
      if (event.code === 1008 && /token/i.test(str(event.reason))) {
        return refused('Auth required: the gateway closed the connection (' + str(event.reason) + '). Paste a new token.');
      }
      // 1001: the gateway is draining (deploy, restart): come back quickly, maybe elsewhere.
      if (event.code === 1001) connection.attempt = 0;
      const why = str(event.reason) || CLOSE_REASONS[event.code] || 'code ' + event.code;
      return scheduleReconnect('Disconnected from the gateway: ' + why + '.');
    }
    // The handshake failed. The browser hides the HTTP status, so ask /health whether the
    // gateway is up: if it is, the upgrade itself was refused (token, origin or capacity).
    const isUp = await gatewayIsUp();
    if (connection.socket) return; // A newer connection (a token typed meanwhile) took over.
    if (isUp) {
      if (requiresToken || connection.token) {
        return refused(connection.token
          ? 'Auth required: the gateway refused this token (invalid, expired or not allowed). Paste another one.'
          : 'Auth required: this gateway needs a token. Paste one here.');
      }
      return scheduleReconnect('Disconnected: the gateway refused the connection (draining or at its limit).');
    }
    scheduleReconnect('Disconnected: the gateway does not answer.');
  }

  function refused(text) {
    setConnectionLabel('auth', 'token refused');
    showBanner('auth', text, { token: true, retry: true });
    // Keep trying slowly: an operator may fix the gateway side.
    scheduleReconnect(null);
  }

  async function gatewayIsUp() {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 3000);
    try {
      const response = await fetch('/health', { cache: 'no-store', signal: controller.signal });
      return response.ok;
    } catch (error) {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  function scheduleReconnect(text) {
    clearTimeout(connection.reconnectTimer);
    clearInterval(connection.countdownTimer);
    const base = Math.min(BACKOFF_CAP_MS, BACKOFF_FIRST_MS * 2 ** connection.attempt);
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    connection.attempt += 1;
    const due = Date.now() + delay;
    if (text !== null) {
      setConnectionLabel('reconnecting', 'disconnected');
      const update = () => {
        const seconds = Math.max(0, Math.ceil((due - Date.now()) / 1000));
        showBanner('disconnected', text + ' Reconnecting in ' + seconds + ' s (attempt ' + connection.attempt + ').',
          { retry: true });
      };
      update();
      connection.countdownTimer = setInterval(update, 1000);
    }
    connection.reconnectTimer = setTimeout(connect, delay);
  }

  function reconnectNow() {
    connection.attempt = 0;
    connect();
  }

  function send(message) {
    const socket = connection.socket;
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function subscribe(stream) {
    clearTimeout(stream.retryTimer);
    const message = { op: 'subscribe', stream: stream.name };
    if (stream.lastId) message.since = stream.lastId;
    if (targets.account) message.accounts = [targets.account];
    if (targets.region) message.regions = [targets.region];
    stream.resuming = Boolean(stream.lastId);
    stream.pending = true;
    send(message);
  }

  // ---- Messages: control messages have "op"; everything else is an envelope -----------------
  function onMessage(text) {
    let message;
    try { message = JSON.parse(text); } catch (error) { return; }
    if (!message || typeof message !== 'object') return;
    if (typeof message.op === 'string') return onControl(message);
    if (message.v === 1 && streams[message.stream]) onEnvelope(message, false);
  }

  function onControl(message) {
    const stream = streams[str(message.stream)];
    switch (message.op) {
      case 'subscribed':
        if (!stream) return;
        connection.attempt = 0; // A working connection, not one closed right after opening.
        stream.pending = false;
        stream.subscribed = true;
        stream.error = null;
        // A fresh start: the stream is live unless a state envelope follows the snapshot.
        // A resume keeps its state: what changed meanwhile comes in order from history.
        if (!stream.resuming || stream.resync) stream.source = null;
        if (Array.isArray(message.snapshots) && message.snapshots.length > 0) {
          // The latest data of each account and region, oldest first (`snapshot` is the last).
          message.snapshots.forEach((envelope, index) => {
            if (envelope && typeof envelope === 'object') onEnvelope(envelope, index === 0);
          });
        } else if (message.snapshot && typeof message.snapshot === 'object') {
          onEnvelope(message.snapshot, true);
        } else if (stream.resync) {
          RENDERERS[stream.name].reset();
          stream.resync = false;
        }
        renderStream(stream);
        return;
      case 'unsubscribed':
        if (stream) stream.subscribed = false;
        return;
      case 'pong':
        return;
      case 'error':
        return onServerError(message, stream);
    }
  }

  function onServerError(message, stream) {
    const code = str(message.code);
    const text = str(message.message);
    if (code === 'resync-required' && stream) {
      // What we missed is older than the gateway's history: start again from the snapshot.
      stream.resync = true;
      stream.lastId = null;
      if (!stream.pending) {
        send({ op: 'unsubscribe', stream: stream.name });
        subscribe(stream);
      }
      showNotice(stream.name + ': missed too much while away; reloaded from the latest snapshot.');
      return;
    }
    if (code === 'already-subscribed') return;
    if (stream && (code === 'forbidden' || code === 'unavailable')) {
      stream.pending = false;
      stream.error = code === 'forbidden' ? 'Not allowed by this token.' : 'Unavailable: ' + text;
      renderStream(stream);
      if (code === 'unavailable') {
        stream.retryTimer = setTimeout(() => { stream.error = null; subscribe(stream); }, SUBSCRIBE_RETRY_MS);
      }
      return;
    }
    showNotice('Gateway: ' + code + ': ' + text);
  }

  function compareIds(a, b) {
    const [aTime, aSeq] = str(a).split('-').map(Number);
    const [bTime, bSeq] = str(b).split('-').map(Number);
    return aTime !== bTime ? aTime - bTime : aSeq - bSeq;
  }

  function onEnvelope(envelope, isSnapshot) {
    const stream = streams[str(envelope.stream)];
    if (!stream) return;
    if (envelope.type === 'heartbeat') return;
    if (envelope.type === STREAM_STATE_TYPE) return onStreamState(stream, envelope);
    if (stream.resync && isSnapshot) {
      RENDERERS[stream.name].reset();
      stream.resync = false;
    } else if (stream.lastId && compareIds(envelope.id, stream.lastId) <= 0) {
      return; // Already seen (a resume can overlap a snapshot).
    }
    stream.lastId = str(envelope.id);
    stream.producedAt = millis(envelope.timestamp) ?? Date.now();
    stream.receivedAt = Date.now();
    stream.error = null;
    const account = str(envelope.account) || '–';
    $('where').textContent = 'account ' + account + ' · region ' + (str(envelope.region) || '–');
    offerTarget(str(envelope.account), str(envelope.region));
    RENDERERS[stream.name].ingest(envelope.data);
    if (!isSnapshot) renderStream(stream);
  }

  // Whether the AWS source is delivered: not data, nothing for the renderer. Its id still
  // moves the stream's position (it is stored in history: a resume goes on after it).
  function onStreamState(stream, envelope) {
    if (stream.lastId && compareIds(envelope.id, stream.lastId) <= 0) return;
    stream.lastId = str(envelope.id);
    stream.source = record(envelope.data);
    showState(stream);
  }

  // ---- Accounts and regions: the selectors, filled from the envelopes seen --------------------
  // The filter the page subscribes with ('' : all); a change resubscribes every stream from its
  // snapshot (the gateway refuses a filter the token does not allow: the stream shows the error).
  const targets = { account: '', region: '', accounts: new Set(), regions: new Set() };

  function offerTarget(account, region) {
    addChoice($('account-select'), targets.accounts, account, ACCOUNT_PATTERN);
    addChoice($('region-select'), targets.regions, region, REGION_PATTERN);
  }

  function addChoice(select, seen, value, pattern) {
    if (!value || seen.has(value) || seen.size >= MAX_CHOICES || !pattern.test(value)) return;
    seen.add(value);
    const options = [...select.options].slice(1).map((option) => option.value).concat(value).sort();
    const before = options.indexOf(value) + 1;
    select.insertBefore(el('option', { value }, value), select.options[before] || null);
  }

  function onTargetsChanged() {
    const account = $('account-select').value;
    const region = $('region-select').value;
    if (account === targets.account && region === targets.region) return;
    targets.account = account;
    targets.region = region;
    for (const name of STREAM_NAMES) {
      const stream = streams[name];
      // A fresh start from the snapshot of what the filter lets through.
      stream.lastId = null;
      stream.resync = true;
      stream.source = null;
      if (stream.subscribed || stream.pending) send({ op: 'unsubscribe', stream: name });
      stream.subscribed = false;
      if (connection.isOpen) subscribe(stream);
    }
    showAllStates();
  }

  // ---- Start ---------------------------------------------------------------------------------
  function start() {
    buildPanels();
    buildOverview();
    for (const name of STREAM_NAMES) renderStream(streams[name]);
    $('retry').addEventListener('click', reconnectNow);
    $('account-select').addEventListener('change', onTargetsChanged);
    $('region-select').addEventListener('change', onTargetsChanged);
    $('targets').addEventListener('submit', (event) => event.preventDefault());
    $('token-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const token = $('token-input').value.trim();
      if (!token) return;
      connection.token = token;
      storeToken(token);
      $('token-input').value = '';
      reconnectNow();
    });
    setInterval(showAllStates, 1000);
    connect();
  }

  start();
})();
