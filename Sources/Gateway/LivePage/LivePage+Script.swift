extension LivePage {
    /// The page's script: the `/ws` client (subscribe, resume with `since`, backoff, auth) and one
    /// renderer per stream. Every string from the data reaches the DOM as a text node or an
    /// attribute value, never as markup.
    static let script = scriptHelpers + scriptRenderers + scriptClient

    /// Constants and the DOM helpers: every string becomes a text node or an attribute value.
    static let scriptHelpers = #"""
        'use strict';
        (() => {
          // ---- Streams and limits ----------------------------------------------------------------
          const STREAM_NAMES = ['aws-metrics', 'aws-logs', 'aws-activity', 'aws-costs', 'aws-security', 'aws-health'];
          const TOKEN_KEY = 'aws-realtime.token';
          const BACKOFF_FIRST_MS = 500;
          const BACKOFF_CAP_MS = 30000;
          const SUBSCRIBE_RETRY_MS = 5000;
          const PING_EVERY_MS = 25000;
          const MAX_POINTS = 120;
          const MAX_CHARTS = 24;
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

        """#
}
