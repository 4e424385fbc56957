// JobTracker: a plain-JS client of the asyncjobs example API. No build step, no framework.
// State flows one way: the list is (re)loaded over HTTP, Server-Sent Events patch it live, and
// every change goes through render(job).
'use strict';

const TOKEN_KEY = 'asyncjobs.token';

// The create form of each job type: the fields of its payload, as both the demo and the OpenAI
// generators read them. An empty field is left out, so the generator's default applies.
const PROMPT = { name: 'prompt', label: 'Prompt', kind: 'textarea', wide: true };
const TYPES = {
  image_generation: { label: 'Image', fields: [
    { ...PROMPT, placeholder: 'a lighthouse at dusk' },
    { name: 'style', label: 'Style', kind: 'select', options: ['', 'realistic', 'artistic', 'cartoon', 'anime', 'sketch', 'watercolor', 'digital_art', '3d_render', 'pixel_art'] },
    { name: 'size', label: 'Size', kind: 'select', options: ['standard', 'wide', 'tall'] },
    { name: 'quality', label: 'Quality', kind: 'select', options: ['standard', 'hd'] }] },
  text_generation: { label: 'Text', fields: [
    { ...PROMPT, placeholder: 'explain durable job queues to a new colleague' },
    { name: 'kind', label: 'Kind', kind: 'select', options: ['article', 'blog_post', 'email', 'social_post', 'product_description', 'summary', 'ad_copy', 'story'] },
    { name: 'tone', label: 'Tone', kind: 'select', options: ['neutral', 'professional', 'friendly', 'casual', 'formal', 'persuasive', 'humorous', 'enthusiastic', 'empathetic'] },
    { name: 'length', label: 'Length', kind: 'select', options: ['medium', 'short', 'long'] },
    { name: 'audience', label: 'Audience', kind: 'text', placeholder: 'optional' }] },
  video_generation: { label: 'Video', fields: [
    { ...PROMPT, placeholder: 'a paper boat drifting down a rainy street' },
    { name: 'durationSeconds', label: 'Seconds', kind: 'number', min: 5, max: 600, value: 30 },
    { name: 'resolution', label: 'Resolution', kind: 'select', options: ['1080p', '720p', '4k'] },
    { name: 'style', label: 'Style', kind: 'select', options: ['cinematic', 'documentary', 'animation', 'commercial', 'music_video', 'vlog', 'tutorial'] }] },
  music_generation: { label: 'Music', fields: [
    { ...PROMPT, placeholder: 'focus music for a rainy afternoon' },
    { name: 'genre', label: 'Genre', kind: 'select', options: ['pop', 'rock', 'jazz', 'classical', 'electronic', 'hip_hop', 'ambient', 'folk', 'cinematic', 'lofi'] },
    { name: 'mood', label: 'Mood', kind: 'select', options: ['calm', 'happy', 'sad', 'energetic', 'dark', 'romantic', 'epic', 'mysterious', 'uplifting'] },
    { name: 'durationSeconds', label: 'Seconds', kind: 'number', min: 10, max: 600, value: 120 },
    { name: 'tempo', label: 'Tempo (BPM)', kind: 'number', min: 40, max: 240, placeholder: 'auto' }] },
  model3d_generation: { label: '3D model', fields: [
    { ...PROMPT, placeholder: 'a wooden chair' },
    { name: 'format', label: 'Format', kind: 'select', options: ['glb', 'obj', 'fbx', 'stl', 'usdz'] },
    { name: 'polycount', label: 'Triangles', kind: 'number', min: 100, max: 5000000, value: 50000 },
    { name: 'style', label: 'Style', kind: 'select', options: ['realistic', 'low_poly', 'stylized', 'cartoon', 'hard_surface'] }] },
  graphic_generation: { label: 'Graphic', fields: [
    { ...PROMPT, placeholder: 'Northwind Coffee, warm and friendly' },
    { name: 'kind', label: 'Kind', kind: 'select', options: ['logo', 'poster', 'banner', 'social', 'icon'] }] },
};

const state = {
  token: null,
  jobs: new Map(),      // id -> job as last known (list JSON, patched by events)
  nextCursor: null,
  source: null,         // the EventSource
  lastEventId: null,    // the position of the last event seen, to resume after
  listSeq: 0,           // only the latest list request may fill the list
  reconnectTimer: null,
  streamSeq: 0,         // only the latest connect may open a stream (a ticket fetch may outlive it)
  retries: 0,           // failed connects in a row, for the back-off
  streams: new Map(),   // id -> what a running job streamed: {base: {attempt, text, parts, seq}, live: [events]}
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
  const detail = p.detail || '';
  // Details often begin with the title's words ("quota exceeded: …"): say them once.
  const repeats = p.title && detail.toLowerCase().startsWith(p.title.toLowerCase());
  let text = repeats ? detail.charAt(0).toUpperCase() + detail.slice(1) : (p.title ? p.title + ': ' : '') + detail;
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

// The token of a #token= link, taken out of the address bar at once (and so out of history and
// screenshots), or null when the address has none.
function takeTokenFromUrl() {
  const m = location.hash.match(/(?:^#|&)token=([^&]+)/);
  if (!m) return null;
  history.replaceState(null, '', location.pathname + location.search);
  try {
    return decodeURIComponent(m[1]) || null;
  } catch (e) {
    return null;
  }
}

function subjectOf(token) {
  const c = token ? claims(token) : null;
  return c && typeof c.sub === 'string' ? c.sub : null;
}

// Anyone can send a #token= link, and a page that obeyed it silently would be signed in as the
// sender: what the user then creates lands in the sender's account. So a link for another user
// than the one signed in asks first; a link for the same user, or when nobody is signed in, is
// taken as is.
function offerToken(token) {
  const current = state.token;
  if (takesSilently(current, token)) {
    if (token !== current) signIn(token);
    return;
  }
  const dialog = $('switch-dialog');
  const now = subjectOf(current) || 'the user of the current token';
  const next = subjectOf(token) || 'an unknown user';
  $('switch-text').textContent = 'This link signs the page in as ' + next + '. You are signed in as ' + now
    + '. Switch only if you asked for this link yourself: jobs you create go to the account you are signed in as.';
  $('switch-keep').textContent = 'Stay ' + now;
  $('switch-accept').textContent = 'Switch to ' + next;
  dialog.onclose = () => {
    dialog.onclose = null;
    if (dialog.returnValue === 'switch') signIn(token);
  };
  dialog.returnValue = '';
  if (!dialog.open) dialog.showModal();
}

function takesSilently(current, token) {
  return !current || token === current || (subjectOf(current) !== null && subjectOf(current) === subjectOf(token));
}

function signIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  useToken(token);
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
  state.lastEventId = null; // positions are per owner: a new sign-in starts afresh
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
  state.streamSeq++;
  if (state.source) state.source.close();
  state.source = null;
}

// Opens the next stream after a pause: 1, 2, 4, 8, then every 10 s, or when the server says.
function reconnectLater(retryAfterSeconds) {
  setLive('wait', 'reconnecting');
  const delay = retryAfterSeconds ? retryAfterSeconds * 1000 : Math.min(1000 * 2 ** state.retries, 10000);
  state.retries++;
  clearTimeout(state.reconnectTimer);
  state.reconnectTimer = setTimeout(connect, delay);
}

// EventSource cannot send an Authorization header, and the token must not go in a URL (logs and
// history keep URLs). So each stream opens with a ticket the page fetches with the token just
// before: it opens one stream, within a minute, and is good for nothing else.
//
// Every event carries its position in the server's event log as its id. A ticket opens one stream
// only, so the browser's own reconnect (the same URL again) would be refused: whenever a stream
// breaks, the page closes it and opens a new one, with a new ticket and the last position it saw
// as ?after=; the server replays exactly what was missed.
async function connect() {
  disconnect();
  const attempt = state.streamSeq;
  if (!state.token) return;
  setLive('wait', state.retries ? 'reconnecting' : 'connecting');
  let ticket;
  try {
    ticket = (await api('POST', '/api/stream-tickets')).ticket;
  } catch (e) {
    if (attempt !== state.streamSeq) return;
    // A refused token is for the person to fix (onUnauthorized said so); anything else passes.
    if (!(e instanceof ApiError && e.status === 401)) reconnectLater(e instanceof ApiError ? Number(e.retryAfter) : 0);
    return;
  }
  if (attempt !== state.streamSeq) return; // signed out or reconnected meanwhile
  const params = new URLSearchParams({ ticket });
  if (state.lastEventId) params.set('after', state.lastEventId);
  const source = new EventSource('/api/jobs/events?' + params);
  state.source = source;
  const remember = (e) => { if (e.lastEventId) state.lastEventId = e.lastEventId; };
  // `ready` starts every stream. A new stream starts now: read the list afresh. A resumed one
  // (`resumed: true`) is followed by every event missed, so the list needs no re-reading.
  source.addEventListener('ready', (e) => {
    remember(e);
    state.retries = 0;
    setLive('on', 'live');
    if (!JSON.parse(e.data).resumed) loadJobs();
  });
  // The position asked for is no longer kept: re-read the list, the stream goes on from here.
  source.addEventListener('resync', (e) => {
    remember(e);
    setLive('on', 'live');
    loadJobs();
  });
  source.addEventListener('job', (e) => {
    remember(e);
    onJobEvent(JSON.parse(e.data));
  });
  // Streamed output: text deltas, parts, and a retried attempt starting afresh. Each carries its
  // log position as the SSE id, so a resumed stream continues exactly where this one stopped.
  for (const name of ['delta', 'part', 'restart']) {
    source.addEventListener(name, (e) => {
      remember(e);
      onOutputEvent(Number(e.lastEventId), JSON.parse(e.data));
    });
  }
  // The server stops: another node (or this one, restarted) takes the next stream.
  source.addEventListener('closing', () => {
    source.close();
    reconnectLater(1);
  });
  // The token the stream was opened with expired: asking for a new ticket tells the person so.
  source.addEventListener('expired', () => {
    source.close();
    connect();
  });
  source.onerror = () => {
    if (state.source !== source) return;
    source.close();
    state.source = null;
    reconnectLater();
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

// ---------- streamed output ----------

function streamOf(id) {
  let s = state.streams.get(id);
  if (!s) {
    s = { base: { attempt: 0, text: '', parts: [], seq: 0 }, live: [] };
    state.streams.set(id, s);
  }
  return s;
}

function onOutputEvent(seq, event) {
  if (!state.jobs.has(event.jobId)) return;
  const s = streamOf(event.jobId);
  if (seq <= s.base.seq || s.live.some((x) => x.seq === seq)) return; // seen already
  s.live.push({ seq, ...event });
  renderStream(event.jobId);
}

// A job found running (a fresh list, a page opened mid-job): read what it streamed before this
// page listened. Live events that arrive meanwhile are kept and laid over it by their position.
async function fetchOutput(id) {
  try {
    const out = await api('GET', '/api/jobs/' + id + '/output');
    const s = streamOf(id);
    if (out.lastSequence > s.base.seq) {
      s.base = { attempt: out.attempt, text: out.text, parts: out.parts, seq: out.lastSequence };
      s.live = s.live.filter((x) => x.seq > out.lastSequence);
    }
    renderStream(id);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) showError('list-error', e);
  }
}

// The text and parts of the latest attempt: the base, then the live events in log order.
function streamed(s) {
  let { attempt, text } = s.base;
  let parts = [...s.base.parts];
  for (const x of [...s.live].sort((a, b) => a.seq - b.seq)) {
    if (x.attempt !== attempt || x.kind === 'OUTPUT_RESTARTED') { attempt = x.attempt; text = ''; parts = []; }
    if (x.kind === 'TEXT_DELTA') text += x.text;
    if (x.kind === 'OUTPUT_PART') parts.push(x.part);
  }
  return { text, parts };
}

function partText(part) {
  if (part && typeof part === 'object' && part.description) {
    return (part.number ? part.number + '. ' : '') + part.description + (part.camera ? ' (' + part.camera + ')' : '');
  }
  return JSON.stringify(part);
}

function renderStream(id) {
  const item = document.querySelector('[data-job-id="' + id + '"]');
  const s = state.streams.get(id);
  if (!item || !s) return;
  const { text, parts } = streamed(s);
  const box = item.querySelector('.stream');
  box.querySelector('.streamed').textContent = text;
  // An image part (the image generators stream each image) shows as the picture; others as a line.
  box.querySelector('.parts').replaceChildren(...parts.map((p) => (p && p.url
    ? el('li', {}, image(p.url, p.revisedPrompt || 'generated image'))
    : el('li', { text: partText(p) }))));
  // Shown while the job runs; the finished result replaces it (the text stays in the DOM).
  box.hidden = item.dataset.status !== 'PROCESSING' || (!text && parts.length === 0);
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
  if (job.status === 'PROCESSING' && !state.streams.has(job.id)) fetchOutput(job.id);
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
  renderStream(job.id);
  const usage = item.querySelector('.usage');
  usage.textContent = usageText(job.usage);
  usage.hidden = !usage.textContent;
  const result = item.querySelector('.result');
  if (job.status === 'COMPLETED' && job.result && !result.dataset.filled) {
    result.replaceChildren(...preview(job));
    result.dataset.filled = 'yes';
    result.hidden = false;
    item.querySelector('.demo').hidden = !job.result.demo;
  }
}

const UNIT_LABELS = { input_tokens: 'input tokens', output_tokens: 'output tokens', images: 'images', seconds: 's' };

// What the job's attempts consumed, one model after the other: "gpt-4o-mini: 812 input tokens · 240 output tokens".
function usageText(usage) {
  if (!usage) return '';
  return Object.entries(usage).map(([model, units]) => model + ': '
    + Object.entries(units).map(([unit, n]) => n.toLocaleString() + ' ' + (UNIT_LABELS[unit] || unit)).join(' · ')).join('; ');
}

function summary(payload) {
  if (!payload) return '';
  return payload.prompt || payload.topic || JSON.stringify(payload);
}

function message(job, active) {
  if (job.status === 'PENDING' && job.cachedFrom) return 'joined an identical request: done when it is';
  if (job.status === 'PENDING') {
    return job.estimatedDurationMs ? 'waiting · about ' + Math.max(1, Math.round(job.estimatedDurationMs / 1000)) + ' s of work' : 'waiting';
  }
  if (active) return job.progressMessage || 'running';
  if (job.status === 'COMPLETED' && job.actualDurationMs) return 'done in ' + (job.actualDurationMs / 1000).toFixed(1) + ' s';
  return job.status === 'CANCELLED' ? 'cancelled' : '';
}

function image(url, alt) {
  // Inline demo pictures, or the https URL an image model answered with; nothing else is loaded.
  return url && (url.startsWith('data:image/') || url.startsWith('https://')) ? el('img', { src: url, alt, loading: 'lazy' }) : el('span');
}

function imagesOf(r, alt) {
  return el('div', { class: 'thumbs' }, ...(r.images || []).map((i) => image(i.url || (i.stored && i.stored.location), i.revisedPrompt || alt)));
}

function line(text, muted) {
  return el('p', { class: muted ? 'muted' : '', text });
}

function list(items) {
  return el('ul', {}, ...items.map((t) => el('li', { text: t })));
}

function preview(job) {
  const r = job.result;
  const parts = [];
  switch (job.type) {
    case 'image_generation':
      parts.push(imagesOf(r, 'generated image'), line([r.style, r.size, r.quality].filter(Boolean).join(' · '), true));
      break;
    case 'graphic_generation':
      parts.push(imagesOf(r, r.kind || 'graphic'), line([r.kind, r.size, r.sizeNote].filter(Boolean).join(' · '), true));
      break;
    case 'text_generation':
      parts.push(line(r.text || ''), line([r.kind, r.tone, r.length, r.truncated ? 'cut short' : ''].filter(Boolean).join(' · '), true));
      break;
    case 'video_generation':
      if (r.poster) parts.push(image(r.poster, 'poster frame'));
      parts.push(line(r.title + ' — ' + r.logline),
        line(r.durationSeconds + ' s · ' + r.frameSize + ' · ' + r.style, true),
        list((r.scenes || []).map((c) => c.startSeconds + '–' + (c.startSeconds + c.durationSeconds) + ' s: ' + c.description + ' (' + c.camera + ')')));
      break;
    case 'music_generation': {
      parts.push(line(r.title + ' · ' + r.genre + ' · ' + r.mood + ' · ' + r.tempoBpm + ' bpm · ' + r.key + ' · ' + r.timeSignature));
      if (Array.isArray(r.waveform)) {
        const wave = el('div', { class: 'wave', 'aria-hidden': 'true' });
        r.waveform.forEach((v) => { const bar = el('i'); bar.style.height = Math.round(v * 100) + '%'; wave.append(bar); });
        parts.push(wave);
      }
      parts.push(line((r.structure || []).map((x) => x.name + ' (' + x.bars + ' bars)').join(' → '), true),
        line((r.instrumentation || []).map((x) => x.instrument + ': ' + x.role).join(', '), true));
      break;
    }
    case 'model3d_generation': {
      const d = r.dimensions || {};
      parts.push(line(r.name + ' · ' + r.fileName),
        line(r.estimatedPolycount + ' of ' + r.polycountBudget + ' triangles · ' + d.width + ' × ' + d.height + ' × ' + d.depth + ' ' + d.unit));
      const mats = el('p', { class: 'muted' });
      (r.materials || []).forEach((m) => {
        const sw = el('span', { class: 'swatch' });
        sw.style.background = /^#[0-9a-f]{6}$/i.test(m.baseColor || '') ? m.baseColor : '#ccc';
        mats.append(sw, m.name + ' ');
      });
      parts.push(mats, list(r.notes || []));
      break;
    }
    default:
      // A plugin's type: show lines of text when the result has them (the haiku example does).
      if (Array.isArray(r.lines)) parts.push(el('p', {}, ...r.lines.flatMap((l, i) => (i ? [el('br'), String(l)] : [String(l)]))));
      break;
  }
  if (r.simulated) parts.push(line('Simulated: a plan of the ' + job.type.replace('_generation', '') + ', no media file.', true));
  parts.push(el('details', {}, el('summary', { text: 'Result JSON' }), el('pre', { text: JSON.stringify(r, null, 2) })));
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
      input = el('textarea', { name: f.name, placeholder: f.placeholder || '' });
    } else if (f.kind === 'select') {
      input = el('select', { name: f.name }, ...f.options.map((o) => el('option', { value: o, text: o === '' ? '(none)' : o.replace(/_/g, ' ') })));
    } else if (f.kind === 'text') {
      input = el('input', { name: f.name, type: 'text', placeholder: f.placeholder || '' });
    } else {
      input = el('input', { name: f.name, type: 'number', min: String(f.min), max: String(f.max), placeholder: f.placeholder || '' });
      if (f.value !== undefined) input.value = String(f.value);
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
  // A #token= link followed while the page is open changes only the hash.
  window.addEventListener('hashchange', () => {
    const link = takeTokenFromUrl();
    if (link) offerToken(link);
  });
  $('create-form').addEventListener('submit', submitCreate);
  $('filter-status').addEventListener('change', () => loadJobs());
  $('filter-type').addEventListener('change', () => loadJobs());
  $('more').addEventListener('click', () => loadJobs(true));
  const link = takeTokenFromUrl();
  if (link && takesSilently(sessionStorage.getItem(TOKEN_KEY), link)) sessionStorage.setItem(TOKEN_KEY, link);
  useToken(sessionStorage.getItem(TOKEN_KEY));
  if (link) offerToken(link); // asks, unless it was taken just above
});
