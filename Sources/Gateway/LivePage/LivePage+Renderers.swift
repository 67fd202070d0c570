extension LivePage {
    /// One renderer per stream, each owning its model: `reset()`, `ingest(data)`, `render(container)`,
    /// `summary()` and `staleAfterMs()`.
    static let scriptRenderers = #"""
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

        """#
}
