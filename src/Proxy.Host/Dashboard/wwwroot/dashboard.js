// The proxy's dashboard: polls api/v1/status (docs/dashboard.md) and redraws.
// Every string from the API goes into the page as text (textContent, setAttribute), never as
// HTML: user names, server names and log messages come from outside and must not become markup.
// No inline script or style anywhere, so the page runs under Content-Security-Policy: default-src 'self'.
'use strict';

(function () {
  const DEFAULT_REFRESH_SECONDS = 2;
  // A poll that has not come back after this long counts as failed (the proxy may hang, not refuse).
  const REQUEST_TIMEOUT_MS = 10000;

  const refreshSeconds = readRefresh();
  const statusUrl = 'api/v1/status';

  let lastSuccess = null; // Date (browser clock) of the last good answer
  let lastData = null;
  let failure = null; // why the last poll failed, null when it did not
  let pollStartedAt = null;

  function readRefresh() {
    const value = Number.parseFloat(new URLSearchParams(window.location.search).get('refresh'));
    if (!Number.isFinite(value) || value <= 0) {
      return DEFAULT_REFRESH_SECONDS;
    }

    return Math.min(Math.max(value, 0.5), 3600);
  }

  // ---- DOM helpers: text only --------------------------------------------------------------

  /** Creates an element; props: className, text, title, attrs (object); children: nodes or strings. */
  function el(tag, props, children) {
    const node = document.createElement(tag);
    if (props) {
      if (props.className) node.className = props.className;
      if (props.text !== undefined && props.text !== null) node.textContent = String(props.text);
      if (props.title) node.setAttribute('title', String(props.title));
      if (props.attrs) {
        for (const [name, value] of Object.entries(props.attrs)) {
          if (value !== undefined && value !== null) node.setAttribute(name, String(value));
        }
      }
    }

    for (const child of children || []) {
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
    }

    return node;
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function setText(id, text) {
    byId(id).textContent = text === undefined || text === null ? '' : String(text);
  }

  // ---- formatting -----------------------------------------------------------------------

  function str(value, fallback) {
    return value === undefined || value === null || value === '' ? (fallback === undefined ? '\u2014' : fallback) : String(value);
  }

  function num(value) {
    return typeof value === 'number' && Number.isFinite(value) ? value : 0;
  }

  function parseTime(value) {
    if (!value) return null;
    const time = new Date(value);
    return Number.isNaN(time.getTime()) ? null : time;
  }

  function pad(n) {
    return String(n).padStart(2, '0');
  }

  function clock(date) {
    return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  }

  /** hh:mm:ss for today's times, with the date for older ones; the UTC ISO string as a tooltip. */
  function timeCell(value, now, className) {
    const time = parseTime(value);
    if (!time) return el('td', { className: (className || '') + ' muted', text: '\u2014' });
    const sameDay = now && time.toDateString() === now.toDateString();
    const text = sameDay ? clock(time) : `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())} ${clock(time)}`;
    return el('td', { className: className || '', text, title: time.toISOString() });
  }

  function duration(ms) {
    if (!Number.isFinite(ms)) return '\u2014';
    const s = Math.max(0, Math.floor(ms / 1000));
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    if (d > 0) return `${d} d ${h} h`;
    if (h > 0) return `${h} h ${m} min`;
    if (m > 0) return `${m} min ${sec} s`;
    return `${sec} s`;
  }

  function ago(value, now) {
    const time = parseTime(value);
    if (!time || !now) return null;
    return `${duration(now.getTime() - time.getTime())} ago`;
  }

  /** invalid_credentials -> "invalid credentials"; the key stays in the tooltip. */
  function reason(key) {
    return String(key).replace(/_/g, ' ');
  }

  const STATES = ['healthy', 'degraded', 'unhealthy', 'unknown'];

  function stateClass(state) {
    const name = String(state || 'unknown').toLowerCase();
    return STATES.includes(name) ? name : 'unknown';
  }

  /** A coloured badge that also says its state in words (not colour alone). */
  function badge(text, tone) {
    return el('span', { className: `badge s-${tone}`, text });
  }

  function stateBadge(state) {
    return badge(str(state, 'Unknown'), stateClass(state));
  }

  function yesNo(value, goodWhen) {
    if (value === undefined || value === null) return el('span', { className: 'muted', text: '\u2014' });
    const good = value === goodWhen;
    return badge(value ? 'yes' : 'no', good ? 'healthy' : 'warn');
  }

  function sum(counts, skipSuccess) {
    let total = 0;
    for (const [key, value] of Object.entries(counts || {})) {
      if (skipSuccess && key === 'success') continue;
      total += num(value);
    }

    return total;
  }

  // ---- sections -------------------------------------------------------------------------

  function renderHeader(data, now) {
    setText('server-name', str(data.server, '(unnamed)'));
    setText('version', data.version ? `v${data.version}` : '');
    const overall = byId('overall-status');
    overall.textContent = str(data.status, 'Unknown');
    overall.className = `badge big s-${stateClass(data.status)}`;
    const ready = byId('ready');
    ready.textContent = data.ready === true ? 'Ready' : data.ready === false ? 'Not ready' : 'Unknown';
    ready.className = `badge big s-${data.ready === true ? 'healthy' : data.ready === false ? 'unhealthy' : 'unknown'}`;
    const started = parseTime(data.startedAt);
    setText('uptime', started && now ? duration(now.getTime() - started.getTime()) : '\u2014');
    if (started) byId('uptime').setAttribute('title', `started ${started.toISOString()}`);
    document.title = `${str(data.status, 'Unknown')} \u2013 ${str(data.server, 'proxy')} \u2013 Proxy dashboard`;

    const reasons = byId('status-reasons');
    clear(reasons);
    const list = Array.isArray(data.statusReasons) ? data.statusReasons : [];
    for (const text of list) reasons.appendChild(el('li', { text: str(text) }));
    reasons.hidden = list.length === 0;
    reasons.className = `reasons s-${stateClass(data.status)}`;
  }

  function card(title, big, rows, tone) {
    const body = el('dl', { className: 'kv' });
    for (const [label, value, key] of rows) {
      body.appendChild(el('dt', { text: label, title: key }));
      body.appendChild(el('dd', { text: value }));
    }

    return el('div', { className: `card${tone ? ` tone-${tone}` : ''}` }, [
      el('div', { className: 'card-title', text: title }),
      el('div', { className: 'card-big', text: big }),
      rows.length ? body : el('div', { className: 'card-none', text: 'none' }),
    ]);
  }

  function failureRows(counts) {
    return Object.entries(counts || {})
      .filter(([key, value]) => key !== 'success' && num(value) > 0)
      .sort((a, b) => num(b[1]) - num(a[1]) || a[0].localeCompare(b[0]))
      .map(([key, value]) => [reason(key), String(value), key]);
  }

  function renderTotals(totals) {
    const node = byId('totals');
    clear(node);
    totals = totals || {};
    const byProtocol = totals.sessionsByProtocol || {};
    const byState = totals.sessionsByState || {};
    node.appendChild(card('Open sessions', String(num(totals.sessions)), [
      ['IMAP', String(num(byProtocol.imap))],
      ['POP3', String(num(byProtocol.pop3))],
      ['pre-auth', String(num(byState.preAuth))],
      ['logging in', String(num(byState.loggingIn))],
      ['relaying', String(num(byState.relaying))],
    ]));

    const lastMinute = totals.lastMinute || {};
    node.appendChild(card('Logins / min', String(num(totals.loginsPerMinute)), [
      ['succeeded, last min', String(num(lastMinute.success))],
      ['failed, last min', String(sum(lastMinute, true))],
      ['succeeded, 15 min', String(num((totals.last15Minutes || {}).success))],
    ]));

    const failedMinute = sum(lastMinute, true);
    node.appendChild(card('Failures, last minute', String(failedMinute), failureRows(lastMinute), failedMinute > 0 ? 'warn' : null));
    const failed15 = sum(totals.last15Minutes, true);
    node.appendChild(card('Failures, last 15 min', String(failed15), failureRows(totals.last15Minutes), failed15 > 0 ? 'warn' : null));

    const since = totals.sinceStart || {};
    const refused = Object.entries(since.refusedConnections || {})
      .filter(([, value]) => num(value) > 0)
      .map(([key, value]) => [`refused: ${reason(key)}`, String(value), key]);
    node.appendChild(card('Sessions since start', String(num(since.sessions)), [
      ['logins succeeded', String(num((since.logins || {}).success))],
      ['logins failed', String(sum(since.logins, true))],
      ...refused,
    ]));
  }

  function errorCell(error, now) {
    if (!error) return el('td', { className: 'muted', text: '\u2014' });
    const what = [error.source, error.failure].filter(Boolean).join(': ');
    const when = ago(error.at, now);
    return el('td', { className: 'error-cell', title: parseTime(error.at) ? parseTime(error.at).toISOString() : null }, [
      el('span', { className: 'error-kind', text: what || 'error' }),
      ' ',
      el('span', { text: str(error.message, '') }),
      when ? el('span', { className: 'muted', text: ` (${when})` }) : null,
    ]);
  }

  function endpointRow(server, endpoint, now) {
    const protocol = str(endpoint.protocol, '').toLowerCase();
    const method = str(endpoint.method, '').toLowerCase();
    const address = `${str(endpoint.host, '?')}:${str(endpoint.port, '?')}`;
    const state = str(endpoint.state, 'Unknown');
    const row = el('tr', {
      className: `endpoint state-${stateClass(state)}`,
      attrs: {
        'data-server': str(server.name, ''),
        'data-protocol': protocol,
        'data-endpoint': `${address}:${method}`,
        'data-state': state,
      },
    });
    const latency = typeof endpoint.latencyMs === 'number' ? `${endpoint.latencyMs.toFixed(endpoint.latencyMs < 10 ? 2 : 1)} ms` : '\u2014';
    const probeAge = ago(endpoint.lastProbeAt, now);
    const breaker = str(endpoint.breaker, '\u2014');
    const breakerTone = breaker === 'Closed' ? 'quiet' : breaker === 'Open' ? 'unhealthy' : breaker === 'HalfOpen' ? 'degraded' : 'unknown';
    row.appendChild(el('td', { className: 'name level-3' }, [
      el('span', { className: 'proto', text: protocol.toUpperCase() }),
      ' ',
      el('span', { className: 'mono', text: address }),
      endpoint.draining ? ' ' : null,
      endpoint.draining ? badge('draining', 'degraded') : null,
    ]));
    row.appendChild(el('td', { className: 'mono', text: method || '\u2014' }));
    row.appendChild(el('td', null, [stateBadge(state)]));
    row.appendChild(el('td', null, [badge(breaker, breakerTone)]));
    row.appendChild(el('td', { className: probeAge ? '' : 'muted', text: probeAge || 'never', title: parseTime(endpoint.lastProbeAt) ? parseTime(endpoint.lastProbeAt).toISOString() : null }));
    row.appendChild(el('td', { className: 'num', text: latency }));
    row.appendChild(el('td', { className: 'num sessions', text: String(num(endpoint.sessions)) }));
    row.appendChild(timeCell(endpoint.stateChangedAt, now));
    row.appendChild(errorCell(endpoint.lastError, now));
    return row;
  }

  function renderBackends(sites, now) {
    const table = byId('backends');
    for (const body of Array.from(table.tBodies)) table.removeChild(body);
    sites = Array.isArray(sites) ? sites : [];
    if (sites.length === 0) {
      table.appendChild(el('tbody', null, [el('tr', null, [el('td', { className: 'muted', text: 'No backend servers in the topology.', attrs: { colspan: 9 } })])]));
      return;
    }

    for (const site of sites) {
      const body = el('tbody', { className: 'site-group', attrs: { 'data-site': str(site.name, '') } });
      body.appendChild(el('tr', { className: `site state-${stateClass(site.status)}`, attrs: { 'data-site': str(site.name, ''), 'data-state': str(site.status, 'Unknown') } }, [
        el('th', { className: 'name level-1', attrs: { scope: 'rowgroup', colspan: 2 } }, [
          el('span', { className: 'kind', text: 'site' }),
          ' ',
          str(site.name, '(no site)'),
        ]),
        el('td', null, [stateBadge(site.status)]),
        el('td', { attrs: { colspan: 3 } }),
        el('td', { className: 'num sessions strong', text: String(num(site.sessions)) }),
        el('td', { attrs: { colspan: 2 } }),
      ]));
      const servers = Array.isArray(site.servers) ? site.servers : [];
      for (const server of servers) {
        const roles = Array.isArray(server.roles) ? server.roles.join(', ') : '';
        body.appendChild(el('tr', { className: `server${server.draining ? ' draining' : ''}`, attrs: { 'data-server': str(server.name, '') } }, [
          el('td', { className: 'name level-2', attrs: { colspan: 2 } }, [
            el('span', { className: 'strong', text: str(server.name) }),
            el('span', { className: 'muted', text: ` Exchange ${str(server.version, '?')}${roles ? ` \u00b7 ${roles}` : ''}` }),
            server.draining ? ' ' : null,
            server.draining ? badge('draining', 'degraded') : null,
          ]),
          el('td', { attrs: { colspan: 4 } }),
          el('td', { className: 'num sessions', text: String(num(server.sessions)) }),
          el('td', { attrs: { colspan: 2 } }),
        ]));
        const endpoints = Array.isArray(server.endpoints) ? server.endpoints : [];
        if (endpoints.length === 0) {
          body.appendChild(el('tr', { className: 'endpoint-none' }, [
            el('td', { className: 'name level-3 muted', text: 'no endpoints of its own (reached through a Client Access server)', attrs: { colspan: 9 } }),
          ]));
        }

        for (const endpoint of endpoints) body.appendChild(endpointRow(server, endpoint, now));
      }

      if (servers.length === 0) {
        body.appendChild(el('tr', null, [el('td', { className: 'name level-2 muted', text: 'no servers', attrs: { colspan: 9 } })]));
      }

      table.appendChild(body);
    }
  }

  function renderListeners(listeners) {
    const body = byId('listeners').tBodies[0];
    clear(body);
    listeners = Array.isArray(listeners) ? listeners : [];
    if (listeners.length === 0) {
      body.appendChild(el('tr', null, [el('td', { className: 'muted', text: 'No mail listeners configured.', attrs: { colspan: 5 } })]));
    }

    for (const listener of listeners) {
      const bound = listener.bound !== false;
      body.appendChild(el('tr', { className: bound ? '' : 'state-unhealthy', attrs: { 'data-protocol': str(listener.protocol, ''), 'data-port': str(listener.port, '') } }, [
        el('td', { className: 'proto', text: str(listener.protocol).toUpperCase() }),
        el('td', { className: 'mono', text: `${str(listener.address, '?')}:${str(listener.port, '?')}` }),
        el('td', { text: listener.implicitTls ? 'implicit TLS' : (listener.protocol === 'pop3' ? 'plain + STLS' : 'plain + STARTTLS') }),
        el('td', null, [listener.bound === undefined ? badge('\u2014', 'unknown') : badge(bound ? 'bound' : 'NOT bound', bound ? 'healthy' : 'unhealthy')]),
        el('td', { className: 'num', text: String(num(listener.sessions)) }),
      ]));
    }
  }

  function configTable(configuration, now) {
    const imap = configuration.imap || {};
    const pop3 = configuration.pop3 || {};
    const table = el('table', { className: 'grid config' });
    table.appendChild(el('thead', null, [el('tr', null, [
      el('th', { text: 'Client rule', attrs: { scope: 'col' } }),
      el('th', { text: 'IMAP', attrs: { scope: 'col' } }),
      el('th', { text: 'POP3', attrs: { scope: 'col' } }),
    ])]));
    const body = el('tbody');
    const row = (label, make) => body.appendChild(el('tr', null, [
      el('th', { text: label, attrs: { scope: 'row' } }),
      el('td', null, [make(imap)]),
      el('td', null, [make(pop3)]),
    ]));
    const plain = (key) => (p) => el('span', { className: 'mono', text: str(p[key]) });
    row('Login type', (p) => badge(str(p.loginType), p.loginType === 'PlainTextLogin' ? 'warn' : 'quiet'));
    row('Cross-site sessions', (p) => p.allowCrossSiteSessions === undefined ? el('span', { className: 'muted', text: '\u2014' })
      : badge(p.allowCrossSiteSessions ? 'allowed' : 'refused', p.allowCrossSiteSessions ? 'warn' : 'quiet'));
    row('Privileged accounts', (p) => p.denyPrivilegedAccounts === undefined ? el('span', { className: 'muted', text: '\u2014' })
      : badge(p.denyPrivilegedAccounts ? 'refused' : 'allowed', p.denyPrivilegedAccounts ? 'quiet' : 'warn'));
    row('Max connections', plain('maxConnections'));
    row('Max per client IP', plain('maxConnectionFromSingleIP'));
    row('Max per user', plain('maxConnectionsPerUser'));
    row('Trusted networks', plain('trustedNetworks'));
    table.appendChild(body);

    const backends = configuration.backends || {};
    const health = configuration.health || {};
    const bruteForce = configuration.bruteForce || {};
    const reload = configuration.lastReload;
    const list = el('dl', { className: 'kv settings' });
    const item = (label, value) => {
      list.appendChild(el('dt', { text: label }));
      list.appendChild(el('dd', null, [value]));
    };
    item('Plaintext to backends', backends.allowPlaintext === undefined ? el('span', { className: 'muted', text: '\u2014' })
      : badge(backends.allowPlaintext ? 'allowed' : 'never', backends.allowPlaintext ? 'warn' : 'quiet'));
    const order = (value) => el('span', { className: 'mono', text: Array.isArray(value) ? value.join(' \u2192 ') : '\u2014' });
    item('Order, TLS clients', order(backends.encryptedClientOrder));
    item('Order, plaintext clients', order(backends.plaintextClientOrder));
    item('Health probes', health.probes === undefined ? el('span', { className: 'muted', text: '\u2014' })
      : health.probes ? el('span', null, [badge('on', 'quiet'), el('span', { className: 'muted', text: health.probeInterval ? ` every ${health.probeInterval}` : '' })])
        : badge('off', 'warn'));
    item('Brute-force protection', bruteForce.enabled === undefined ? el('span', { className: 'muted', text: '\u2014' })
      : badge(bruteForce.enabled ? 'on' : 'off', bruteForce.enabled ? 'quiet' : 'warn'));
    item('Directory', el('span', { className: 'mono', text: str(configuration.directory) }));
    if (!reload) {
      item('Last reload', el('span', { className: 'muted', text: 'none since start' }));
    } else {
      const when = parseTime(reload.at);
      item('Last reload', el('span', { title: when ? when.toISOString() : null }, [
        badge(reload.accepted ? 'accepted' : 'REFUSED', reload.accepted ? 'healthy' : 'unhealthy'),
        el('span', { className: 'muted', text: when ? ` ${ago(reload.at, now)}` : '' }),
      ]));
      const errors = Array.isArray(reload.errors) ? reload.errors : [];
      if (errors.length) {
        item('Reload errors', el('ul', { className: 'errors' }, errors.map((e) => el('li', { text: str(e) }))));
      }
    }

    return [table, list];
  }

  function renderConfiguration(configuration, now) {
    const node = byId('configuration');
    clear(node);
    if (!configuration) {
      node.appendChild(el('p', { className: 'muted', text: 'Not reported.' }));
      return;
    }

    for (const part of configTable(configuration, now)) node.appendChild(part);
  }

  function renderRecent(recent, now) {
    const body = byId('recent').tBodies[0];
    clear(body);
    const entries = (Array.isArray(recent) ? recent.slice() : [])
      .map((entry, index) => ({ entry, index, time: parseTime(entry.at) }))
      // Newest first whatever order arrives; equal times keep the API's order.
      .sort((a, b) => (b.time ? b.time.getTime() : 0) - (a.time ? a.time.getTime() : 0) || a.index - b.index)
      .map((x) => x.entry);
    if (entries.length === 0) {
      body.appendChild(el('tr', null, [el('td', { className: 'muted', text: 'Nothing refused or failed recently.', attrs: { colspan: 9 } })]));
      return;
    }

    for (const entry of entries) {
      const kind = str(entry.kind, 'error');
      const level = str(entry.level, '');
      body.appendChild(el('tr', { className: `kind-${kind === 'refusal' ? 'refusal' : 'error'}`, attrs: { 'data-kind': kind, 'data-event-id': str(entry.eventId, '') } }, [
        timeCell(entry.at, now, 'nowrap'),
        el('td', null, [badge(kind, kind === 'refusal' ? 'warn' : 'unhealthy')]),
        el('td', { className: `level level-${level.toLowerCase()}`, text: level || '\u2014' }),
        el('td', { className: 'nowrap', title: entry.eventId ? `event id ${entry.eventId}` : null }, [
          el('span', { text: str(entry.event) }),
          entry.eventId ? el('span', { className: 'muted', text: ` ${entry.eventId}` }) : null,
        ]),
        el('td', { className: 'proto', text: str(entry.protocol, '').toUpperCase() || '\u2014' }),
        el('td', { className: 'mono', text: str(entry.user) }),
        el('td', { className: 'mono', text: str(entry.client) }),
        el('td', { className: 'nowrap', text: str(entry.server) }),
        el('td', { className: 'message', text: str(entry.message, '') }),
      ]));
    }
  }

  function render(data) {
    const now = parseTime(data.now) || new Date();
    renderHeader(data, now);
    renderTotals(data.totals);
    renderBackends(data.sites, now);
    renderListeners(data.listeners);
    renderConfiguration(data.configuration, now);
    renderRecent(data.recent, now);
  }

  // ---- polling and staleness ----------------------------------------------------------------

  /** Says, every second, how old the data is; a page that is not updating must look it. */
  function showFreshness() {
    const nowMs = Date.now();
    const age = lastSuccess ? nowMs - lastSuccess.getTime() : null;
    // A poll may hang rather than fail: three intervals without an answer is stale too.
    const overdue = age !== null && age > Math.max(3 * refreshSeconds * 1000, 6000);
    const hanging = pollStartedAt !== null && nowMs - pollStartedAt > Math.max(3 * refreshSeconds * 1000, 6000);
    const stale = failure !== null || overdue || lastSuccess === null && hanging;
    document.body.classList.toggle('stale', stale && lastData !== null);
    document.body.classList.toggle('loading', lastData === null);
    setText('age', age === null ? '' : ` (${duration(age)} ago)`);
    const banner = byId('stale-banner');
    if (stale || (lastData === null && failure !== null)) {
      const why = failure || 'no answer from the proxy';
      banner.textContent = lastSuccess
        ? `STALE \u2014 not updating: ${why}. Everything below is as of ${clock(lastSuccess)} (${duration(age)} ago). Retrying every ${refreshSeconds} s.`
        : `No data \u2014 ${why}. Retrying every ${refreshSeconds} s.`;
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
  }

  async function poll() {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    pollStartedAt = Date.now();
    try {
      const response = await fetch(statusUrl, { cache: 'no-store', headers: { Accept: 'application/json' }, signal: controller.signal });
      if (!response.ok) {
        throw new Error(`HTTP ${response.status} from ${statusUrl}`);
      }

      const data = await response.json();
      if (!data || typeof data !== 'object') {
        throw new Error('the answer is not a JSON object');
      }

      render(data);
      lastData = data;
      lastSuccess = new Date();
      failure = null;
      setText('last-updated', clock(lastSuccess));
    } catch (error) {
      failure = error && error.name === 'AbortError'
        ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
        : error instanceof TypeError ? 'the proxy cannot be reached' : String(error && error.message ? error.message : error);
    } finally {
      clearTimeout(timer);
      pollStartedAt = null;
      showFreshness();
      // The next poll starts after this one ends, so a slow proxy is never asked twice at once.
      setTimeout(poll, refreshSeconds * 1000);
    }
  }

  function start() {
    setText('poll-info', `Refreshes every ${refreshSeconds} s (?refresh=N to change).`);
    setInterval(showFreshness, 1000);
    poll();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
