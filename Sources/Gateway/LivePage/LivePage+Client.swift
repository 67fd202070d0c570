extension LivePage {
    /// Stream states, the banner, the token, and the `/ws` client: subscribe, resume with `since`,
    /// capped exponential backoff, `resync-required` and the other control messages.
    ///
    /// Two states per stream: what the page sees (`waiting`, `live`, `stale`, `error`) and what the
    /// worker says of the AWS source in `stream-state` envelopes (`live`, `degraded`,
    /// `unavailable`, with the AWS error). A source that is not live shows in the stream's badge
    /// and in a note with the error code, what it means, and the next retry.
    static let scriptClient = #"""
          // ---- Stream state: waiting / live / stale / error, or the source's degraded / unavailable --
          const streams = {};
          for (const name of STREAM_NAMES) {
            streams[name] = {
              name, lastId: null, producedAt: null, receivedAt: null, error: null,
              pending: false, subscribed: false, resync: false, resuming: false, retryTimer: null,
              // The data of the latest stream-state envelope (null: none since the snapshot, live).
              source: null,
              panel: $('panel-' + name), tile: null,
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
                if (message.snapshot && typeof message.snapshot === 'object') {
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

          // ---- Start ---------------------------------------------------------------------------------
          function start() {
            buildOverview();
            for (const name of STREAM_NAMES) renderStream(streams[name]);
            $('retry').addEventListener('click', reconnectNow);
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

        """#
}
