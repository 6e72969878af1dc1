// Sluice dashboard: plain JavaScript, no build step, nothing loaded from elsewhere.
// Live through the server-sent event stream /api/events (read with fetch, so that an X-API-Key can be
// sent); counts are re-read from /api/queues when events arrive (at most twice a second) and every 15 s.
'use strict';

const $ = (selector, root = document) => root.querySelector(selector);
const keyStore = window.sessionStorage;
let apiKey = keyStore.getItem('sluice-key');
const WINDOW_SECONDS = 300;
const series = { ok: new Map(), bad: new Map(), wait: new Map() };
let jobsPage = 0;
let jobStream = null;

// ---- HTTP -----------------------------------------------------------------------------------------

async function api(path, options = {}) {
  const headers = { 'Accept': 'application/json', ...(options.body ? { 'Content-Type': 'application/json' } : {}) };
  if (apiKey) headers['X-API-Key'] = apiKey;
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) {
    askForKey();
    throw new Error('An API key is needed');
  }
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new Error(body && body.detail ? body.detail : `HTTP ${response.status}`);
  }
  return body;
}

function askForKey() {
  $('#key-form').hidden = false;
  $('#key input').focus();
}

$('#key').addEventListener('submit', (event) => {
  event.preventDefault();
  apiKey = $('#key input').value;
  keyStore.setItem('sluice-key', apiKey);
  $('#key-form').hidden = true;
  startLive();
  route();
});

function say(text) {
  const message = $('#message');
  message.textContent = text;
  message.hidden = false;
  clearTimeout(say.timer);
  say.timer = setTimeout(() => { message.hidden = true; }, 4000);
}

// ---- live events ----------------------------------------------------------------------------------

/** Reads a server-sent event stream with fetch; calls onEvent(name, data) per event; returns a stop function. */
function stream(path, onEvent, onState) {
  const controller = new AbortController();
  (async () => {
    while (!controller.signal.aborted) {
      try {
        const headers = { 'Accept': 'text/event-stream' };
        if (apiKey) headers['X-API-Key'] = apiKey;
        const response = await fetch(path, { headers, signal: controller.signal });
        if (response.status === 401) { askForKey(); return; }
        if (!response.ok) { onState && onState(false); return; }
        onState && onState(true);
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let name = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) name = line.slice(6).trim();
              else if (line.startsWith('data:')) data += line.slice(5).trim();
            }
            if (data) onEvent(name, JSON.parse(data));
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      onState && onState(false);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  })();
  return () => controller.abort();
}

let stopLive = null;
function startLive() {
  if (stopLive) stopLive();
  stopLive = stream('/api/events', (name, event) => {
    const second = Math.floor(Date.now() / 1000);
    if (event.state === 'succeeded') bump(series.ok, second, 1);
    if (event.state === 'failed' || event.state === 'dead') bump(series.bad, second, 1);
    if (event.state === 'running' && typeof event.waited === 'number') {
      const entry = series.wait.get(second) || { sum: 0, count: 0 };
      entry.sum += event.waited;
      entry.count += 1;
      series.wait.set(second, entry);
    }
    scheduleRefresh();
  }, (live) => {
    const badge = $('#live');
    badge.textContent = live ? 'live' : 'reconnecting…';
    badge.classList.toggle('live', live);
  });
}

function bump(map, second, by) {
  map.set(second, (map.get(second) || 0) + by);
}

let refreshTimer = null;
function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => { refreshTimer = null; refreshOverview(); }, 500);
}

// ---- overview -------------------------------------------------------------------------------------

async function refreshOverview() {
  let queues;
  try {
    queues = await api('/api/queues');
  } catch (error) {
    $('[data-count="redis"]').textContent = 'down';
    return;
  }
  for (const priority of ['high', 'normal', 'low']) {
    $(`[data-count="${priority}"]`).textContent = queues.queues[priority];
  }
  for (const name of ['scheduled', 'retrying', 'running', 'dead']) {
    $(`[data-count="${name}"]`).textContent = queues[name];
  }
  health();
  const rows = ['high', 'normal', 'low'].map((priority) => {
    const paused = queues.paused.includes(priority);
    return `<tr data-priority="${priority}"><td>${priority}</td><td>${queues.queues[priority]}</td>
      <td>${paused ? '<span class="state retrying">paused</span>' : 'taking jobs'}</td>
      <td><button type="button" data-action="${paused ? 'resume' : 'pause'}" data-priority="${priority}">
      ${paused ? 'Resume' : 'Pause'}</button></td></tr>`;
  });
  $('#queues tbody').innerHTML = rows.join('');
  const capacity = queues.capacity;
  $('#capacity').textContent = capacity.total > 0
    ? `Capacity: ${capacity.used} of ${capacity.total} waiting (${capacity.percent} %)` : 'Capacity: no limit';
  $('#limits tbody').innerHTML = Object.entries(queues.limits || {}).map(([type, use]) =>
    `<tr data-type="${escape(type)}"><td>${escape(type)}</td>
    <td>${use.running} / ${use.concurrency ?? '–'}</td><td>${use.perKeyConcurrency ?? '–'}</td><td>${use.parked}</td>
    <td>${use.rate ? `${use.rate.used} / ${use.rate.limit} per ${escape(use.rate.period)}` : '–'}</td></tr>`).join('')
    || '<tr><td colspan="5" class="muted">no job type has a cap or a rate limit</td></tr>';
  $('#nodes tbody').innerHTML = queues.nodes.map((node) => `<tr><td><code>${escape(node.id)}</code></td>
    <td>${node.poolSize}</td><td>${node.busyWorkers}</td><td>${node.freeWorkers}</td><td>${node.runningJobs}</td>
    <td>${node.consistent ? '<span class="ok">free + running = pool</span>' : '<span class="bad">inconsistent</span>'}</td>
    <td>${new Date(node.lastHeartbeat).toLocaleTimeString()}</td></tr>`).join('')
    || '<tr><td colspan="7" class="muted">no worker nodes</td></tr>';
  drawCharts();
}

async function health() {
  try {
    const response = await fetch('/actuator/health');
    const body = await response.json();
    const redis = body.components && body.components.redis ? body.components.redis.status : body.status;
    $('[data-count="redis"]').textContent = redis === 'UP' ? 'up' : 'down';
  } catch (error) {
    $('[data-count="redis"]').textContent = 'unknown';
  }
}

$('#queues').addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  try {
    await api(`/api/queues/${button.dataset.priority}/${button.dataset.action}`, { method: 'POST' });
    say(`${button.dataset.priority} ${button.dataset.action === 'pause' ? 'paused' : 'resumed'}`);
    refreshOverview();
  } catch (error) {
    say(error.message);
  }
});

function drawCharts() {
  const now = Math.floor(Date.now() / 1000);
  const seconds = Array.from({ length: WINDOW_SECONDS }, (_, i) => now - WINDOW_SECONDS + 1 + i);
  for (const map of Object.values(series)) {
    for (const second of map.keys()) if (second <= now - WINDOW_SECONDS) map.delete(second);
  }
  const ok = seconds.map((s) => series.ok.get(s) || 0);
  const bad = seconds.map((s) => series.bad.get(s) || 0);
  const wait = seconds.map((s) => { const e = series.wait.get(s); return e ? e.sum / e.count : 0; });
  $('#chart-throughput').innerHTML = axis() + line(ok, Math.max(1, ...ok, ...bad), 'ok') + line(bad, Math.max(1, ...ok, ...bad), 'bad');
  $('#chart-wait').innerHTML = axis() + line(wait, Math.max(1, ...wait), 'line');
}

// the last hour per minute, from the history every node writes to Redis: full as soon as the page opens
async function drawHour() {
  try {
    const stats = await api('/api/stats?range=1h');
    const ok = stats.minutes.map((m) => m.total.succeeded || 0);
    const bad = stats.minutes.map((m) => (m.total.failed || 0) + (m.total.dead || 0));
    const max = Math.max(1, ...ok, ...bad);
    $('#chart-hour').innerHTML = axis() + line(ok, max, 'ok') + line(bad, max, 'bad');
    $('#chart-hour').dataset.succeeded = ok.reduce((a, b) => a + b, 0);
  } catch (error) {
    /* a producer key may not read it; the live charts still work */
  }
}

function axis() {
  return '<line class="axis" x1="0" y1="79" x2="300" y2="79"/>';
}

function line(values, max, cls) {
  const points = values.map((v, i) => `${(i * 300 / (values.length - 1)).toFixed(1)},${(78 - v / max * 74).toFixed(1)}`);
  return `<polyline class="${cls}" points="${points.join(' ')}"/>`;
}

// ---- jobs -----------------------------------------------------------------------------------------

async function showJobs() {
  const form = $('#job-filter');
  const state = form.state.value;
  const size = 50;
  try {
    const query = new URLSearchParams({ state, page: jobsPage, size });
    for (const name of ['type', 'key', 'priority']) {
      const value = form[name].value.trim();
      if (value) query.set(name, value);
    }
    const page = await api(`/api/jobs?${query}`); // filtered by the server, every page
    const items = page.items;
    $('#jobs tbody').innerHTML = items.map((job) => `<tr><td><a href="#/job/${job.id}"><code>${job.id}</code></a></td>
      <td>${escape(job.type)}</td><td>${job.priority}</td><td><span class="state ${job.state}">${job.state}</span></td>
      <td>${job.attempts}/${job.maxAttempts}</td><td>${time(job.createdAt)}</td></tr>`).join('')
      || '<tr><td colspan="6" class="muted">none</td></tr>';
    const pages = Math.max(1, Math.ceil(page.total / size));
    $('#page-info').textContent = `page ${jobsPage + 1} of ${pages} (${page.total}${page.partial ? '+' : ''} ${state})`;
    $('#prev').disabled = jobsPage === 0;
    $('#next').disabled = jobsPage + 1 >= pages;
  } catch (error) {
    say(error.message);
  }
}

$('#job-filter').addEventListener('submit', (event) => { event.preventDefault(); jobsPage = 0; showJobs(); });
$('#prev').addEventListener('click', () => { jobsPage = Math.max(0, jobsPage - 1); showJobs(); });
$('#next').addEventListener('click', () => { jobsPage += 1; showJobs(); });
$('#job-search').addEventListener('submit', (event) => {
  event.preventDefault();
  location.hash = `#/job/${encodeURIComponent(event.target.id.value.trim())}`;
});

// ---- one job --------------------------------------------------------------------------------------

const FINAL = ['succeeded', 'failed', 'dead', 'cancelled'];

async function showJob(id) {
  $('#job-id').textContent = id;
  $('#job-timeline').innerHTML = '';
  if (jobStream) jobStream();
  try {
    renderJob(await api(`/api/jobs/${encodeURIComponent(id)}`));
  } catch (error) {
    $('#job-state').textContent = error.message;
    return;
  }
  jobStream = stream(`/api/jobs/${encodeURIComponent(id)}/events`, async (name, event) => {
    const item = document.createElement('li');
    const when = event.at ? new Date(event.at).toLocaleTimeString() : 'now';
    item.textContent = name === 'progress'
      ? `${when} progress ${event.progress} %${event.message ? ': ' + event.message : ''}`
      : `${when} ${event.state}${event.attempt ? ' (attempt ' + event.attempt + ')' : ''}`;
    $('#job-timeline').append(item);
    try { renderJob(await api(`/api/jobs/${encodeURIComponent(id)}`)); } catch (error) { /* shown on next event */ }
  });
}

function renderJob(job) {
  const state = $('#job-state');
  state.textContent = job.state;
  state.className = `state ${job.state}`;
  const progress = $('#job-progress');
  progress.hidden = !job.progress;
  if (job.progress) {
    progress.value = job.progress.percent;
    $('#job-progress-text').textContent = `${job.progress.percent} % ${job.progress.message || ''}`;
  } else {
    $('#job-progress-text').textContent = '';
  }
  $('#job-cancel').disabled = FINAL.includes(job.state);
  $('#job-retry').disabled = !['failed', 'dead', 'cancelled'].includes(job.state);
  const fields = [['type', job.type], ['priority', job.priority], ['attempts', `${job.attempts} of ${job.maxAttempts}`],
    ['timeout', job.timeout], ['node', job.node || '–'], ['created', time(job.createdAt)], ['run at', time(job.runAt)],
    ['started', time(job.startedAt)], ['finished', time(job.finishedAt)], ['batch', job.batch || '–'],
    ['payload', json(job.payload)], ['result', json(job.result)],
    ['error', job.error ? `${job.error.type}: ${job.error.message}` : '–']];
  $('#job-fields').innerHTML = fields.map(([k, v]) => `<dt>${k}</dt><dd>${k === 'payload' || k === 'result'
    ? `<pre>${escape(v)}</pre>` : escape(v)}</dd>`).join('');
}

$('#job-cancel').addEventListener('click', async () => {
  const id = $('#job-id').textContent;
  if (!window.confirm(`Cancel job ${id}?`)) return;
  try { renderJob(await api(`/api/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' })); say('cancelled'); }
  catch (error) { say(error.message); }
});

$('#job-retry').addEventListener('click', async () => {
  const id = $('#job-id').textContent;
  if (!window.confirm(`Run job ${id} again?`)) return;
  try { await api(`/api/jobs/${encodeURIComponent(id)}/retry`, { method: 'POST' }); say('queued again'); showJob(id); }
  catch (error) { say(error.message); }
});

// ---- dead letters ---------------------------------------------------------------------------------

async function showDead() {
  try {
    const page = await api('/api/jobs?state=dead&size=100');
    $('#dead tbody').innerHTML = page.items.map((job) => `<tr data-id="${job.id}">
      <td><a href="#/job/${job.id}"><code>${job.id}</code></a></td><td>${escape(job.type)}</td>
      <td>${escape(job.error ? job.error.message : '')}</td><td>${time(job.finishedAt)}</td>
      <td><button type="button" data-action="retry">Retry</button> <button type="button" data-action="delete">Delete</button></td>
      </tr>`).join('') || '<tr><td colspan="5" class="muted">no dead letters</td></tr>';
    $('#retry-all').disabled = page.total === 0;
  } catch (error) {
    say(error.message);
  }
}

$('#dead').addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const id = button.closest('tr').dataset.id;
  const retry = button.dataset.action === 'retry';
  if (!window.confirm(`${retry ? 'Run job ' + id + ' again' : 'Delete dead job ' + id + ' for good'}?`)) return;
  try {
    await api(retry ? `/api/jobs/${id}/retry` : `/api/dead-letters/${id}`, { method: retry ? 'POST' : 'DELETE' });
    say(retry ? 'queued again' : 'deleted');
    showDead();
  } catch (error) {
    say(error.message);
  }
});

$('#retry-all').addEventListener('click', async () => {
  if (!window.confirm('Run every dead job again?')) return;
  try { const done = await api('/api/dead-letters/retry-all', { method: 'POST' }); say(`${done.retried} queued again`); showDead(); }
  catch (error) { say(error.message); }
});

// ---- orders and batches ---------------------------------------------------------------------------

$('#order-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const order = await api(`/api/orders/${encodeURIComponent(event.target.id.value.trim())}`);
    $('#order').innerHTML = `<p><span class="state">${order.state}</span> · total ${order.total} · ${order.shipping}</p>
      <ol class="timeline">${order.timeline.map((e) => `<li>${time(e.at)} <strong>${escape(e.step)}</strong>
      ${escape(e.note)}</li>`).join('')}</ol>
      <p class="muted">${order.outbox.length} e-mail(s) in the outbox</p>`;
  } catch (error) {
    $('#order').textContent = error.message;
  }
});

$('#batch-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const batch = await api(`/api/batches/${encodeURIComponent(event.target.id.value.trim())}`);
    const done = ['succeeded', 'failed', 'dead', 'cancelled'].reduce((n, s) => n + batch.states[s], 0) + batch.expired;
    const percent = batch.total ? Math.round(done * 100 / batch.total) : 100;
    $('#batch').innerHTML = `<p>${done} of ${batch.total} finished${batch.finished ? ' ✓' : ''}</p>
      <div class="bar" role="progressbar" aria-valuenow="${percent}" aria-valuemin="0" aria-valuemax="100">
      <span style="width:${percent}%"></span></div>
      <p class="muted">${Object.entries(batch.states).filter(([, n]) => n).map(([s, n]) => `${s} ${n}`).join(' · ')}</p>`;
  } catch (error) {
    $('#batch').textContent = error.message;
  }
});

// ---- routing --------------------------------------------------------------------------------------

function route() {
  $('#message').hidden = true;
  const [, view = 'overview', arg] = location.hash.split('/');
  for (const section of document.querySelectorAll('[data-view]')) section.hidden = section.dataset.view !== view;
  for (const link of document.querySelectorAll('[data-nav]')) link.classList.toggle('active', link.dataset.nav === view);
  if (view !== 'job' && jobStream) { jobStream(); jobStream = null; }
  if (view === 'overview') { refreshOverview(); drawHour(); }
  if (view === 'jobs') showJobs();
  if (view === 'job') showJob(decodeURIComponent(arg || ''));
  if (view === 'dead') showDead();
}

function time(value) {
  return value ? new Date(value).toLocaleString() : '–';
}

function json(value) {
  return value === null || value === undefined ? '–' : JSON.stringify(value, null, 2);
}

function escape(value) {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

window.addEventListener('hashchange', route);
setInterval(() => { if (!$('#view-overview').hidden) refreshOverview(); }, 15000);
setInterval(drawCharts, 2000);
setInterval(() => { if (!$('#view-overview').hidden) drawHour(); }, 30000);
startLive();
route();
