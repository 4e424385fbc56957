// JobTracker: a plain-JS client of the asyncjobs example API. No build step, no framework.
// State flows one way: the list is (re)loaded over HTTP, Server-Sent Events patch it live, and
// every change goes through render(job).
'use strict';

const TOKEN_KEY = 'asyncjobs.token';

// The create form of each job type: the fields of its payload record.
const PROMPT = { name: 'prompt', label: 'Prompt', kind: 'textarea', wide: true, required: true };
const TYPES = {
  image_generation: { label: 'Image', fields: [
    { ...PROMPT, placeholder: 'a lighthouse at dusk, oil painting' },
    { name: 'size', label: 'Size', kind: 'select', options: ['1024x1024', '512x512', '256x256', '1792x1024', '1024x1792'] },
    { name: 'style', label: 'Style', kind: 'select', options: ['vivid', 'natural'] },
    { name: 'n', label: 'Pictures', kind: 'number', min: 1, max: 4, value: 1 }] },
  text_generation: { label: 'Text', fields: [
    { ...PROMPT, placeholder: 'explain durable job queues to a new colleague' },
    { name: 'maxWords', label: 'Max words', kind: 'number', min: 20, max: 2000, value: 120 },
    { name: 'tone', label: 'Tone', kind: 'select', options: ['neutral', 'friendly', 'formal'] }] },
  video_generation: { label: 'Video', fields: [
    { ...PROMPT, placeholder: 'a paper boat drifting down a rainy street' },
    { name: 'durationSeconds', label: 'Seconds', kind: 'number', min: 2, max: 60, value: 8 },
    { name: 'resolution', label: 'Resolution', kind: 'select', options: ['720p', '1080p', '480p'] },
    { name: 'fps', label: 'FPS', kind: 'number', min: 12, max: 60, value: 24 }] },
  music_generation: { label: 'Music', fields: [
    { ...PROMPT, placeholder: 'calm focus music for a rainy afternoon' },
    { name: 'genre', label: 'Genre', kind: 'select', options: ['ambient', 'lofi', 'jazz', 'rock', 'electronic', 'classical'] },
    { name: 'durationSeconds', label: 'Seconds', kind: 'number', min: 5, max: 300, value: 30 }] },
  model3d_generation: { label: '3D model', fields: [
    { ...PROMPT, placeholder: 'a low-poly wooden chair' },
    { name: 'format', label: 'Format', kind: 'select', options: ['glb', 'obj', 'stl'] },
    { name: 'polygonBudget', label: 'Triangles', kind: 'number', min: 500, max: 200000, value: 20000 }] },
  graphic_generation: { label: 'Graphic', fields: [
    { ...PROMPT, placeholder: 'Northwind Coffee, warm and friendly' },
    { name: 'kind', label: 'Kind', kind: 'select', options: ['logo', 'icon', 'banner', 'poster'] }] },
};

const state = {
  token: null,
  jobs: new Map(),      // id -> job as last known (list JSON, patched by events)
  nextCursor: null,
  source: null,         // the EventSource
  listSeq: 0,           // only the latest list request may fill the list
  reconnectTimer: null,
};

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v; else if (k === 'text') node.textContent = v; else node.setAttribute(k, v);
  }
  children.forEach((c) => node.append(c));
  return node;
};

// ---------- HTTP ----------

class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem.detail || problem.title || ('HTTP ' + status));
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + state.token, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (!res.ok) {
    const error = new ApiError(res.status, json, res.headers.get('Retry-After'));
    if (res.status === 401) onUnauthorized(error);
    throw error;
  }
  return json;
}

function describe(error) {
  if (!(error instanceof ApiError)) return 'Network problem: ' + error.message;
  const p = error.problem;
  let text = (p.title ? p.title + ': ' : '') + (p.detail || '');
  if (error.status === 429 && error.retryAfter) text += ' (try again in ' + error.retryAfter + ' s)';
  if (error.status === 422 && p.categories) text += ' [' + p.categories.join(', ') + ']';
  return text;
}

function showError(id, error) {
  const box = $(id);
  if (error) {
    box.textContent = typeof error === 'string' ? error : describe(error);
    box.hidden = false;
  } else {
    box.hidden = true;
    box.textContent = '';
  }
}

// ---------- token ----------

function readTokenFromUrl() {
  const m = location.hash.match(/token=([^&]+)/);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    // Keep the token out of the address bar, history and screenshots.
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function claims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part));
  } catch (e) {
    return null;
  }
}

function useToken(token) {
  state.token = token;
  const c = token ? claims(token) : null;
  $('token').value = token || '';
  $('sign-out').hidden = !token;
  showError('auth-error', null);
  if (!token) {
    $('who').textContent = 'Paste the token the server printed at startup, or open the link it printed.';
    disconnect();
    state.jobs.clear();
    $('job-list').replaceChildren();
    return;
  }
  $('who').textContent = c && c.sub
    ? 'Signed in as ' + c.sub + (c.exp ? ', token valid until ' + new Date(c.exp * 1000).toLocaleString() : '')
    : 'Token set (it does not look like a JWT; the server will judge).';
  loadJobs();
  connect();
  refreshQuota();
}

function onUnauthorized(error) {
  showError('auth-error', 'The server refused the token: ' + (error.problem.detail || 'unauthorized'));
  setLive('off', 'signed out');
  disconnect();
}

// ---------- live updates ----------

function setLive(kind, text) {
  const pill = $('live');
  pill.className = 'pill pill-' + kind;
  pill.textContent = text;
}

function disconnect() {
  clearTimeout(state.reconnectTimer);
  if (state.source) state.source.close();
  state.source = null;
}

// EventSource cannot send an Authorization header, so the token goes in the query string of this
// one route (the server accepts ?access_token= nowhere else).
function connect() {
  disconnect();
  setLive('wait', 'connecting');
  const source = new EventSource('/api/jobs/events?access_token=' + encodeURIComponent(state.token));
  state.source = source;
  // Every (re)connection starts with `ready`: events missed while away are not replayed, so the
  // list is read afresh.
  source.addEventListener('ready', () => {
    setLive('on', 'live');
    loadJobs();
  });
  source.addEventListener('job', (e) => onJobEvent(JSON.parse(e.data)));
  const restart = (e) => {
    setLive('wait', 'reconnecting');
    source.close();
    state.reconnectTimer = setTimeout(connect, 1000);
  };
  source.addEventListener('dropped', restart);
  source.addEventListener('closing', restart);
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) {
      // The server answered with an error (an expired token, say): ask the API why.
      setLive('off', 'offline');
      api('GET', '/api/quota').then(() => { state.reconnectTimer = setTimeout(connect, 3000); }, () => {});
    } else {
      setLive('wait', 'reconnecting');
    }
  };
}

function onJobEvent(event) {
  const known = state.jobs.get(event.jobId);
  if (!known) {
    if (event.kind === 'CREATED' && matchesFilters(event)) fetchJob(event.jobId);
    return;
  }
  // An event older than what the list showed (it was queued before a re-list) changes nothing.
  if (known.updatedAt && instantKey(event.at) < instantKey(known.updatedAt)) return;
  const job = { ...known, status: event.status, progress: event.progress, updatedAt: event.at };
  if (event.kind === 'PROGRESS' || event.kind === 'STARTED') job.progressMessage = event.message;
  if (event.kind === 'FAILED' || event.kind === 'RETRY_SCHEDULED') job.error = event.message;
  if (event.kind === 'CANCEL_REQUESTED') job.cancelRequested = true;
  state.jobs.set(job.id, job);
  render(job);
  // The event carries no result: read the finished job once.
  if (event.kind === 'COMPLETED') fetchJob(event.jobId);
}

// ISO instants as the server writes them ("…:05Z", "…:05.120Z", "…:05.120300Z") made comparable
// as strings: the fraction padded to nanoseconds.
function instantKey(iso) {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(iso || '');
  return m ? m[1] + '.' + (m[2] || '').padEnd(9, '0') : '';
}

// ---------- list ----------

function filters() {
  return { status: $('filter-status').value, type: $('filter-type').value };
}

function matchesFilters(job) {
  const f = filters();
  return (!f.status || f.status === job.status) && (!f.type || f.type === job.type);
}

async function loadJobs(append = false) {
  if (!state.token) return;
  const f = filters();
  const params = new URLSearchParams({ limit: '20' });
  if (f.status) params.set('status', f.status);
  if (f.type) params.set('type', f.type);
  if (append && state.nextCursor) params.set('cursor', state.nextCursor);
  const seq = ++state.listSeq;
  try {
    const page = await api('GET', '/api/jobs?' + params);
    if (seq !== state.listSeq) return;
    showError('list-error', null);
    if (!append) {
      state.jobs.clear();
      $('job-list').replaceChildren();
    }
    page.items.forEach((job) => { state.jobs.set(job.id, job); render(job, 'end'); });
    state.nextCursor = page.nextCursor;
    $('more').hidden = !page.nextCursor;
    $('empty').hidden = state.jobs.size > 0;
  } catch (e) {
    showError('list-error', e);
  }
}

// Shows a job read over HTTP, unless the page already knows a newer state of it: an answer can
// arrive after events that happened later (a cancel's CANCELLED event often beats its response).
function accept(job) {
  const known = state.jobs.get(job.id);
  if (known && instantKey(known.updatedAt) > instantKey(job.updatedAt)) return;
  state.jobs.set(job.id, job);
  render(job, known ? undefined : 'start');
  $('empty').hidden = true;
}

async function fetchJob(id) {
  try {
    accept(await api('GET', '/api/jobs/' + id));
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) showError('list-error', e);
  }
}

async function cancelJob(id, button) {
  button.disabled = true;
  try {
    accept(await api('DELETE', '/api/jobs/' + id));
  } catch (e) {
    showError('list-error', e);
    button.disabled = false;
  }
}

// ---------- rendering ----------

function render(job, where) {
  let item = document.querySelector('[data-job-id="' + job.id + '"]');
  if (!item) {
    item = $('job-template').content.firstElementChild.cloneNode(true);
    item.dataset.jobId = job.id;
    item.querySelector('.cancel').addEventListener('click', (e) => cancelJob(job.id, e.currentTarget));
    const list = $('job-list');
    if (where === 'end') list.append(item); else list.prepend(item);
  }
  const active = job.status === 'PENDING' || job.status === 'PROCESSING';
  item.dataset.status = job.status;
  item.querySelector('.type').textContent = (TYPES[job.type] || { label: job.type }).label;
  item.querySelector('.status').textContent = job.cancelRequested && active ? 'cancelling' : job.status;
  item.querySelector('.when').textContent = new Date(job.createdAt).toLocaleTimeString();
  item.querySelector('.when').setAttribute('datetime', job.createdAt);
  item.querySelector('.prompt').textContent = summary(job.payload);
  const progress = job.status === 'COMPLETED' ? 100 : job.progress;
  const meter = item.querySelector('.progress');
  meter.setAttribute('aria-valuenow', String(progress));
  meter.dataset.progress = String(progress);
  item.querySelector('.bar').style.width = progress + '%';
  item.querySelector('.percent').textContent = progress + '%';
  item.querySelector('.message').textContent = message(job, active);
  const cancel = item.querySelector('.cancel');
  cancel.hidden = !active || job.cancelRequested;
  const err = item.querySelector('.job-error');
  err.hidden = !(job.status === 'FAILED' && job.error);
  err.textContent = job.status === 'FAILED' ? (job.error || '') : '';
  const result = item.querySelector('.result');
  if (job.status === 'COMPLETED' && job.result && !result.dataset.filled) {
    result.replaceChildren(...preview(job));
    result.dataset.filled = 'yes';
    result.hidden = false;
    item.querySelector('.demo').hidden = !job.result.demo;
  }
}

function summary(payload) {
  if (!payload) return '';
  return payload.prompt || payload.topic || JSON.stringify(payload);
}

function message(job, active) {
  if (job.status === 'PENDING') {
    return job.estimatedDurationMs ? 'waiting · about ' + Math.max(1, Math.round(job.estimatedDurationMs / 1000)) + ' s of work' : 'waiting';
  }
  if (active) return job.progressMessage || 'running';
  if (job.status === 'COMPLETED' && job.actualDurationMs) return 'done in ' + (job.actualDurationMs / 1000).toFixed(1) + ' s';
  return job.status === 'CANCELLED' ? 'cancelled' : '';
}

function image(url, alt) {
  // Only inline pictures: the page's Content-Security-Policy allows data: images and nothing remote.
  return url && url.startsWith('data:image/') ? el('img', { src: url, alt, loading: 'lazy' }) : el('span');
}

function preview(job) {
  const r = job.result;
  const parts = [];
  switch (job.type) {
    case 'image_generation':
      parts.push(el('div', { class: 'thumbs' }, ...(r.images || []).map((i) => image(i.url, i.revisedPrompt || 'generated image'))));
      break;
    case 'graphic_generation':
      parts.push(image(r.url, r.kind || 'graphic'));
      break;
    case 'text_generation':
      parts.push(el('p', { text: r.text || '' }));
      break;
    case 'video_generation':
      parts.push(image(r.poster, 'poster frame'));
      parts.push(el('p', { class: 'muted', text: r.durationSeconds + ' s · ' + r.width + '×' + r.height + ' · ' + r.fps + ' fps · ' + r.codec }));
      parts.push(el('ul', {}, ...(r.scenes || []).map((s) => el('li', { text: s.startSeconds + '–' + s.endSeconds + ' s: ' + s.description }))));
      break;
    case 'music_generation': {
      parts.push(el('p', { text: r.title + ' · ' + r.genre + ' · ' + r.bpm + ' bpm · ' + r.key }));
      const wave = el('div', { class: 'wave', 'aria-hidden': 'true' });
      (r.waveform || []).forEach((v) => { const bar = el('i'); bar.style.height = Math.round(v * 100) + '%'; wave.append(bar); });
      parts.push(wave);
      break;
    }
    case 'model3d_generation': {
      const b = r.boundingBox || {};
      parts.push(el('p', { text: r.triangles + ' triangles · ' + b.width + ' × ' + b.height + ' × ' + b.depth + ' m · ' + r.format }));
      const mats = el('p', { class: 'muted' });
      (r.materials || []).forEach((m) => {
        const sw = el('span', { class: 'swatch' });
        sw.style.background = /^#[0-9a-f]{6}$/i.test(m.baseColor) ? m.baseColor : '#ccc';
        mats.append(sw, m.name + ' ');
      });
      parts.push(mats);
      break;
    }
    default:
      // A plugin's type: show lines of text when the result has them (the haiku example does).
      if (Array.isArray(r.lines)) parts.push(el('p', {}, ...r.lines.flatMap((line, i) => (i ? [el('br'), String(line)] : [String(line)]))));
      break;
  }
  if (r.note) parts.push(el('p', { class: 'muted', text: r.note }));
  const raw = el('details', {}, el('summary', { text: 'Result JSON' }), el('pre', { text: JSON.stringify(r, null, 2) }));
  parts.push(raw);
  return parts;
}

// ---------- create form ----------

function buildTypeChoice() {
  const box = $('type-choice');
  Object.entries(TYPES).forEach(([type, spec], i) => {
    const input = el('input', { type: 'radio', name: 'type', value: type, id: 'type-' + type });
    if (i === 0) input.checked = true;
    input.addEventListener('change', () => buildFields(type));
    box.append(el('label', { for: 'type-' + type, 'data-type': type }, input, el('span', { text: spec.label })));
    $('filter-type').append(el('option', { value: type, text: spec.label }));
  });
  for (let p = 1; p <= 10; p++) {
    const opt = el('option', { value: String(p), text: String(p) + (p === 10 ? ' (first)' : '') });
    if (p === 5) opt.selected = true;
    $('priority').append(opt);
  }
  buildFields(Object.keys(TYPES)[0]);
}

function buildFields(type) {
  const box = $('fields');
  box.replaceChildren();
  TYPES[type].fields.forEach((f) => {
    let input;
    if (f.kind === 'textarea') {
      input = el('textarea', { name: f.name, placeholder: f.placeholder || '', maxlength: '4000' });
    } else if (f.kind === 'select') {
      input = el('select', { name: f.name }, ...f.options.map((o) => el('option', { value: o, text: o })));
    } else {
      input = el('input', { name: f.name, type: 'number', min: String(f.min), max: String(f.max), value: String(f.value) });
    }
    input.id = 'field-' + f.name;
    box.append(el('label', { class: f.wide ? 'wide' : '', for: input.id }, f.label, input));
  });
}

function readPayload(type) {
  const payload = {};
  TYPES[type].fields.forEach((f) => {
    const input = $('field-' + f.name);
    input.classList.remove('invalid');
    const v = input.value.trim();
    if (v === '') return;
    payload[f.name] = f.kind === 'number' ? Number(v) : v;
  });
  return payload;
}

async function submitCreate(event) {
  event.preventDefault();
  showError('create-error', null);
  if (!state.token) {
    showError('create-error', 'Set a token first.');
    return;
  }
  const type = document.querySelector('input[name="type"]:checked').value;
  const body = { type, payload: readPayload(type), priority: Number($('priority').value) };
  const button = $('create-button');
  button.disabled = true;
  try {
    const created = await api('POST', '/api/generate', body);
    $('field-prompt').value = '';
    await fetchJob(created.id);
  } catch (e) {
    showError('create-error', e);
    // Point at the field the server named, e.g. "payload.prompt".
    const field = e instanceof ApiError && e.problem.field ? e.problem.field.replace(/^payload\./, '') : null;
    const input = field ? $('field-' + field) : null;
    if (input) { input.classList.add('invalid'); input.focus(); }
  } finally {
    button.disabled = false;
    refreshQuota();
  }
}

async function refreshQuota() {
  if (!state.token) return;
  try {
    const q = await api('GET', '/api/quota');
    const l = q.limits;
    let text = 'Quota: ' + q.usedLastHour + (l.maxPerHour == null ? '' : ' of ' + l.maxPerHour) + ' this hour, '
      + q.usedLastDay + (l.maxPerDay == null ? '' : ' of ' + l.maxPerDay) + ' today.';
    const next = q.nextCreateAllowedAt ? new Date(q.nextCreateAllowedAt) : null;
    if (next && next > new Date()) text += ' Next job allowed at ' + next.toLocaleTimeString() + '.';
    $('quota').textContent = text;
  } catch (e) {
    $('quota').textContent = '';
  }
}

// ---------- start ----------

document.addEventListener('DOMContentLoaded', () => {
  buildTypeChoice();
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('token').value.trim();
    if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
    useToken(token || null);
  });
  $('sign-out').addEventListener('click', () => { sessionStorage.removeItem(TOKEN_KEY); useToken(null); });
  $('create-form').addEventListener('submit', submitCreate);
  $('filter-status').addEventListener('change', () => loadJobs());
  $('filter-type').addEventListener('change', () => loadJobs());
  $('more').addEventListener('click', () => loadJobs(true));
  useToken(readTokenFromUrl());
});
