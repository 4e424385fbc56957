// The operators' page: a plain-JS client of the example's /api/admin routes. No build step, no
// framework. Everything shown is read from the API, and read again when the operators' event
// stream (every owner's events) says something changed, so an action taken here or anywhere else,
// and a worker finishing a job, show up by themselves. The queues and charts are also read every
// 30 s, for the waits and buckets that move with time alone.
'use strict';

const TOKEN_KEY = 'asyncjobs.token'; // shared with the JobTracker page (same origin, same session)
const REFRESH_MS = 30000;
const SETTLE_MS = 1000;  // at most one refresh a second, however many events arrive
const RECONNECT_MS = 2000;

const state = { token: null, query: null, nextCursor: null, openJob: null, timer: null, seq: 0,
  stream: null, soon: null, pages: 0, listSeq: 0, detailSeq: 0 };

const svgEl = (tag, attrs) => {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
};

class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || ('HTTP ' + status));
    this.status = status;
  }
}

async function api(method, path) {
  const res = await fetch(path, { method, headers: { Authorization: 'Bearer ' + state.token, Accept: 'application/json' } });
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

function show(id, error) {
  const box = $(id);
  box.textContent = !error ? '' : typeof error === 'string' ? error
    : error instanceof ApiError ? error.message : 'Network problem: ' + error.message;
  box.hidden = !error;
}

// ---------- token ----------

function useToken(token) {
  state.token = token;
  if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
  $('sign-out').hidden = !token;
  for (const id of ['queues', 'search', 'detail']) $(id).hidden = true;
  clearTimeout(state.timer);
  if (state.stream) state.stream.abort();
  setLive(false);
  if (!token) {
    $('who').textContent = 'Paste a token with the operator claim (token --operator).';
    return;
  }
  refreshQueues().then((ok) => {
    if (!ok) return;
    $('queues').hidden = false;
    $('search').hidden = false;
    search();
    listen(state.seq);
  });
}

// ---------- the operators' event stream ----------

/**
 * Reads /api/admin/events with fetch (an EventSource cannot send the token header) and refreshes
 * what is shown after each burst of events; reconnects after a lost connection, not after a refusal.
 */
async function listen(seq) {
  if (state.stream) state.stream.abort();
  const abort = new AbortController();
  state.stream = abort;
  try {
    const res = await fetch('/api/admin/events', { signal: abort.signal,
      headers: { Authorization: 'Bearer ' + state.token, Accept: 'text/event-stream' } });
    if (!res.ok) {
      const text = await res.text();
      if (refused(new ApiError(res.status, text ? JSON.parse(text) : {}))) return;
      throw new Error('HTTP ' + res.status);
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        onMessage(buffer.slice(0, end), seq);
        buffer = buffer.slice(end + 2);
      }
    }
  } catch (e) {
    if (abort.signal.aborted) return;
  }
  if (seq !== state.seq) return;
  setLive(false);
  setTimeout(() => { if (seq === state.seq && state.token) listen(seq); }, RECONNECT_MS);
}

/** One SSE message: `ready` means connected; a job event or a resync means: read again soon. */
function onMessage(block, seq) {
  if (seq !== state.seq) return;
  const name = (block.split('\n').find((l) => l.startsWith('event:')) || 'event: message').slice(6).trim();
  if (name === 'ready') {
    setLive(true);
  } else if ((name === 'job' || name === 'resync') && !state.soon) {
    // A throttle, not a debounce: under steady load the page still refreshes once a second.
    state.soon = setTimeout(() => { state.soon = null; refreshAll(seq, false); }, SETTLE_MS);
  }
}

/**
 * Reads what is shown again: the queues (and, on the timer, the charts), the list while only its
 * first page is shown (a list paged further is left as the operator paged it), and the open job.
 */
async function refreshAll(seq, charts) {
  if (seq !== state.seq) return;
  const ok = await refreshQueues(charts);
  if (!ok) return;
  if (state.query && state.pages === 1) await search(true);
  if (state.openJob) await openJob(state.openJob, true);
}

/** A token that is not an operator's: say so, show nothing else. */
function refused(error) {
  if (error.status === 401 || error.status === 403) {
    show('auth-error', error.status === 403 ? 'This page is for operators only: your token has no operator claim.'
      : 'The token was refused: ' + error.message);
    for (const id of ['queues', 'search', 'detail']) $(id).hidden = true;
    setLive(false);
    return true;
  }
  return false;
}

function setLive(on) {
  $('live').textContent = on ? 'live' : 'offline';
  $('live').className = 'pill ' + (on ? 'pill-on' : 'pill-off');
}

// ---------- queues and charts ----------

async function refreshQueues(charts = true) {
  const seq = state.seq;
  try {
    const [queues, hour, day] = await Promise.all([
      api('GET', '/api/admin/queues'),
      charts ? api('GET', '/api/admin/throughput?window=PT1H&bucket=PT1M') : null,
      charts ? api('GET', '/api/admin/throughput?window=PT24H&bucket=PT1H') : null]);
    if (seq !== state.seq) return false;
    show('auth-error', null);
    $('who').textContent = 'Signed in as an operator.';
    renderQueues(queues.queues);
    if (charts) {
      chart('hour-chart', 'hour-caption', 'Last hour', hour, 60);
      chart('day-chart', 'day-caption', 'Last day', day, 24);
      schedule(); // the timer's next round (the event refreshes leave it running)
    }
    show('queues-error', null);
    return true;
  } catch (e) {
    if (!refused(e) && seq === state.seq) {
      show('queues-error', e);
      schedule(); // the server may be back in a moment; a refused token is not
    }
    return false;
  }
}

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(tick, REFRESH_MS);
}

async function tick() {
  if (document.hidden) { schedule(); return; }
  await refreshAll(state.seq, true);
}

function renderQueues(queues) {
  const body = $('queue-table').querySelector('tbody');
  body.replaceChildren(...queues.map((q) => {
    const paused = q.paused;
    const button = el('button', { type: 'button', class: paused ? '' : 'secondary', 'data-type': q.type,
      text: paused ? 'Resume' : 'Pause' });
    button.addEventListener('click', () => pauseOrResume(q.type, paused));
    return el('tr', { 'data-type': q.type },
      el('th', { scope: 'row', text: q.type }),
      el('td', { class: 'pending', text: String(q.pending) }),
      el('td', { class: 'due', text: String(q.due) }),
      el('td', { class: 'running', text: String(q.running) }),
      el('td', { text: q.oldestDueWaitMs ? seconds(q.oldestDueWaitMs) : '–' }),
      el('td', { class: paused ? 'state state-paused' : 'state', text: paused ? 'paused' : (q.backoffUntil ? 'backing off' : 'running') }),
      el('td', {}, button));
  }));
}

async function pauseOrResume(type, paused) {
  const verb = paused ? 'resume' : 'pause';
  if (!confirm((paused ? 'Resume ' : 'Pause ') + type + (paused ? '?' : '? No new attempts start on any worker; running ones finish.'))) return;
  try {
    await api('POST', '/api/admin/types/' + encodeURIComponent(type) + '/' + verb);
    await refreshQueues();
  } catch (e) {
    if (!refused(e)) show('queues-error', e);
  }
}

/** Finished jobs per bucket, completed (green) under failed (red), every type added up. */
function chart(boxId, captionId, label, data, buckets) {
  const width = data.windowMs / data.bucketMs;
  const n = Math.max(buckets, Math.round(width));
  const start = Date.now() - data.windowMs;
  const totals = Array.from({ length: n }, () => ({ ok: 0, bad: 0 }));
  for (const p of data.points) {
    const i = Math.min(n - 1, Math.max(0, Math.floor((Date.parse(p.from) - start) / data.bucketMs + 0.5)));
    totals[i].ok += p.completed;
    totals[i].bad += p.failed + p.cancelled;
  }
  const max = Math.max(1, ...totals.map((t) => t.ok + t.bad));
  const svg = svgEl('svg', { viewBox: '0 0 ' + n * 10 + ' 100', preserveAspectRatio: 'none', role: 'img' });
  totals.forEach((t, i) => {
    const okH = (t.ok / max) * 96;
    const badH = (t.bad / max) * 96;
    if (t.ok) svg.append(svgEl('rect', { x: i * 10 + 1, y: 100 - okH, width: 8, height: okH, class: 'bar-ok' }));
    if (t.bad) svg.append(svgEl('rect', { x: i * 10 + 1, y: 100 - okH - badH, width: 8, height: badH, class: 'bar-bad' }));
  });
  const ok = totals.reduce((s, t) => s + t.ok, 0);
  const bad = totals.reduce((s, t) => s + t.bad, 0);
  const summary = label + ': ' + ok + ' completed, ' + bad + ' failed or cancelled';
  svg.setAttribute('aria-label', summary);
  $(captionId).textContent = summary;
  $(boxId).replaceChildren(svg);
}

function seconds(ms) {
  return ms < 60000 ? Math.round(ms / 1000) + ' s' : Math.round(ms / 60000) + ' min';
}

// ---------- search ----------

function queryFromForm() {
  const params = new URLSearchParams();
  for (const [name, id] of [['status', 'f-status'], ['type', 'f-type'], ['owner', 'f-owner'], ['error', 'f-error']]) {
    const v = $(id).value.trim();
    if (v) params.set(name, v);
  }
  params.set('limit', '50');
  return params;
}

async function search(again) {
  if (!again) {
    state.query = queryFromForm();
  }
  const mine = ++state.listSeq; // only the latest read may fill the list
  try {
    const page = await api('GET', '/api/admin/jobs?' + state.query.toString());
    if (mine !== state.listSeq) return;
    state.pages = 1;
    renderJobs(page.items, false);
    state.nextCursor = page.nextCursor;
    $('more').hidden = !page.nextCursor;
    show('search-error', null);
  } catch (e) {
    if (!refused(e)) show('search-error', e);
  }
}

async function more() {
  const params = new URLSearchParams(state.query);
  params.set('cursor', state.nextCursor);
  const mine = ++state.listSeq;
  try {
    const page = await api('GET', '/api/admin/jobs?' + params.toString());
    if (mine !== state.listSeq) return;
    state.pages++;
    renderJobs(page.items, true);
    state.nextCursor = page.nextCursor;
    $('more').hidden = !page.nextCursor;
  } catch (e) {
    if (!refused(e)) show('search-error', e);
  }
}

function renderJobs(jobs, append) {
  const body = $('job-table').querySelector('tbody');
  const rows = jobs.map((j) => {
    const row = el('tr', { class: 'pick', tabindex: '0', 'data-id': j.id, 'aria-label': 'Open job ' + j.id },
      el('td', { text: new Date(j.createdAt).toLocaleString() }),
      el('td', { text: j.ownerId }),
      el('td', { text: j.type }),
      el('td', { class: 'status', text: j.status }),
      el('td', { text: j.attempts + ' / ' + j.maxAttempts }),
      el('td', { text: j.error || '' }));
    row.addEventListener('click', () => openJob(j.id));
    row.addEventListener('keydown', (e) => { if (e.key === 'Enter') openJob(j.id); });
    return row;
  });
  if (append) body.append(...rows); else body.replaceChildren(...rows);
  $('job-empty').hidden = body.children.length > 0;
}

// ---------- one job ----------

async function openJob(id, again) {
  const mine = ++state.detailSeq; // a slow older read neither overwrites a newer one nor reopens a closed pane
  try {
    const job = await api('GET', '/api/admin/jobs/' + id);
    if (mine !== state.detailSeq || (again && state.openJob !== id)) return;
    state.openJob = id;
    renderJob(job);
    $('detail').hidden = false;
    if (!again) {
      $('action-result').textContent = '';
      $('detail').scrollIntoView({ block: 'nearest' });
    }
    show('detail-error', null);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      state.openJob = null;
      $('detail').hidden = true;
      return;
    }
    if (!refused(e)) show('detail-error', e);
  }
}

function renderJob(job) {
  $('detail-title').textContent = 'Job ' + job.id;
  const facts = [['Owner', job.ownerId], ['Type', job.type], ['Status', job.status], ['Progress', job.progress + ' %'],
    ['Attempts', job.attempts + ' of ' + job.maxAttempts], ['Created', job.createdAt], ['Finished', job.finishedAt || '–'],
    ['Error', job.error || '–']];
  $('detail-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { 'data-fact': k.toLowerCase(), text: String(v) })]));
  const finished = ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status);
  $('retry').hidden = !(job.status === 'FAILED' || job.status === 'CANCELLED');
  $('cancel').hidden = finished || job.cancelRequested;
  $('delete').hidden = !finished;
  $('attempt-errors').replaceChildren(...job.attemptErrors.map((e) =>
    el('li', { text: 'attempt ' + e.attempt + (e.gaveUp ? ' (last)' : '') + ', ' + e.at + ': ' + e.message })));
  $('payload').textContent = JSON.stringify(job.payload, null, 2);
  $('result').textContent = job.result === null ? '–' : JSON.stringify(job.result, null, 2);
  $('events').replaceChildren(...job.events.map((e) =>
    el('li', { text: e.at + ' ' + e.kind + ' (attempt ' + e.attempt + ')' + (e.message ? ': ' + e.message : '') })));
}

async function act(action) {
  const id = state.openJob;
  const ask = { retry: 'Run job ' + id + ' again, with one attempt more?', cancel: 'Cancel job ' + id + '?',
    delete: 'Delete job ' + id + ' for good?' }[action];
  if (!id || !confirm(ask)) return;
  try {
    const method = action === 'delete' ? 'DELETE' : 'POST';
    const path = '/api/admin/jobs/' + id + (action === 'delete' ? '' : '/' + action);
    const job = await api(method, path);
    $('action-result').textContent = { retry: 'Retried: ', cancel: 'Cancel asked: ', delete: 'Deleted: ' }[action] + job.status;
    if (action === 'delete') {
      state.openJob = null;
      $('detail').hidden = true;
    } else {
      await openJob(id, true);
    }
    await search(true);
  } catch (e) {
    if (!refused(e)) show('detail-error', e);
  }
}

// ---------- start ----------

document.addEventListener('DOMContentLoaded', () => {
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const value = $('token').value.trim();
    $('token').value = '';
    state.seq++;
    useToken(value || null);
  });
  $('sign-out').addEventListener('click', () => { state.seq++; useToken(null); });
  $('search-form').addEventListener('submit', (e) => { e.preventDefault(); search(false); });
  $('more').addEventListener('click', more);
  $('close-detail').addEventListener('click', () => { state.openJob = null; state.detailSeq++; $('detail').hidden = true; });
  for (const action of ['retry', 'cancel', 'delete']) $(action).addEventListener('click', () => act(action));
  // A #token= link signs in and leaves the address bar at once, as on the JobTracker page.
  const link = new URLSearchParams(location.hash.slice(1)).get('token');
  if (link) history.replaceState(null, '', location.pathname + location.search);
  useToken(link || sessionStorage.getItem(TOKEN_KEY));
});
