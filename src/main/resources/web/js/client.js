// The one client of the engine's WebSocket protocol (docs/protocol.md) that the player, spectator and
// console pages share: hello, commands with ids answered by ack/error, the hunt stream kept as
// (epoch, seq) per hunt with the client rule of §6, resume after a reconnect, reconnect with backoff,
// and a ping every 25 s so that an idle page is not closed.
//
// It never touches the DOM. Pages listen:
//   client.on('state', s => …)      'connecting' | 'open' | 'reconnecting' | 'closed' | 'unauthorized'
//   client.on('welcome', frame => …)
//   client.on('event', (hunt, frame) => …)   each event once, in seq order, no gap
//   client.on('snapshot', (hunt, frame) => …) replace what you hold about the hunt
//   client.on('positions', frame => …)
//   client.on('moves', frame => …)          (protocol 1.1: after client.send('view', {hunt, box}))
//   client.on('followed', (hunt, ack) => …)  after each join/watch/resume ack
// For tests (and the curious) window.__th holds the seqs each hunt applied, the state, and cut(): drop
// the socket as a network failure would.
//
// Encoding (docs/protocol.md §2.1): JSON text frames, or CBOR binary frames when the page's URL says
// ?encoding=cbor (or #encoding=cbor); the same frames either way, only the bytes on the wire differ.

const PING_EVERY_MS = 25_000;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15_000;

/** 'cbor' when the page's URL asks for it, else 'json'. */
export function pageEncoding() {
  const asked = new URLSearchParams(location.search).get('encoding') || new URLSearchParams(location.hash.slice(1)).get('encoding');
  return asked === 'cbor' ? 'cbor' : 'json';
}

export class Client {
  /** token: a player, spectator or admin token; it is sent in a hello frame, never in the URL. */
  constructor(token, { url, encoding } = {}) {
    this.token = token;
    this.encoding = encoding || pageEncoding();
    this.codec = null; // cbor.js, once loaded
    this.url = url || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    this.listeners = {};
    this.pending = new Map(); // id -> {resolve, reject, frame}
    this.hunts = new Map(); // hunt -> {epoch, seq, mode: 'join'|'watch', buffer: [] | null}
    this.counter = 0;
    this.attempt = 0;
    this.state = 'closed';
    this.ws = null;
    this.stopped = false;
    this.holdReconnect = false;
    this.clockOffsetMs = 0;
    this.test = { seqs: {}, cuts: 0, state: 'closed', client: this, encoding: this.encoding, textFrames: 0, binaryFrames: 0, subprotocol: null };
    this.test.cut = () => this.cut();
    this.test.hold = (on) => { this.holdReconnect = on; if (!on && this.state === 'reconnecting') this.scheduleReconnect(0); };
    window.__th = this.test;
  }

  on(name, fn) { (this.listeners[name] ||= []).push(fn); return this; }
  emit(name, ...args) { for (const fn of this.listeners[name] || []) { try { fn(...args); } catch (e) { console.error(e); } } }

  setState(s) { this.state = s; this.test.state = s; this.emit('state', s); }

  /** Opens the socket; resolves with the first welcome. */
  async start() {
    this.stopped = false;
    if (this.encoding === 'cbor' && !this.codec) this.codec = await import('./cbor.js');
    return new Promise((resolve, reject) => {
      this.firstWelcome = { resolve, reject };
      this.open();
    });
  }

  stop() {
    this.stopped = true;
    clearInterval(this.pinger);
    if (this.ws) this.ws.close(1000, 'bye');
    this.setState('closed');
  }

  /** The server's clock as this page estimates it (welcome's serverTime). */
  now() { return Date.now() + this.clockOffsetMs; }

  open() {
    this.setState(this.attempt === 0 && !this.welcomed ? 'connecting' : 'reconnecting');
    const ws = this.codec ? new WebSocket(this.url, this.codec.SUBPROTOCOL) : new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => { this.test.subprotocol = ws.protocol; ws.send(this.write({ type: 'hello', token: this.token })); };
    ws.onmessage = (m) => { if (this.ws === ws) this.receive(m.data); };
    ws.onclose = (e) => { if (this.ws === ws) this.dropped(e.code, e.reason); };
    ws.onerror = () => {}; // a close follows
  }

  /** Drops the socket as a network failure would (tests, and the page's "reconnect now"). */
  cut() {
    this.test.cuts++;
    const ws = this.ws;
    if (!ws) return;
    this.dropped(1006, 'cut');
    try { ws.close(4000, 'cut'); } catch (e) { /* already closed */ }
  }

  dropped(code, reason) {
    this.ws = null;
    clearInterval(this.pinger);
    for (const [id, p] of this.pending) p.reject({ code: 'disconnected', message: 'the connection dropped', re: id });
    this.pending.clear();
    if (this.stopped) return;
    if (code === 4401 || code === 1008) {
      // A bad or expired token, or a client the server judged abusive: reconnecting would not help.
      this.setState('unauthorized');
      if (this.firstWelcome) { this.firstWelcome.reject({ code: 'unauthorized', message: reason || 'unauthorized' }); this.firstWelcome = null; }
      return;
    }
    this.setState('reconnecting');
    const base = code === 4429 || code === 1013 ? 5_000 : BACKOFF_MIN_MS;
    const wait = Math.min(BACKOFF_MAX_MS, base * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt++;
    this.scheduleReconnect(wait);
  }

  scheduleReconnect(wait) {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (this.stopped || this.ws) return;
      if (this.holdReconnect) return; // released by __th.hold(false)
      this.open();
    }, wait);
  }

  /** A frame as this connection sends it: JSON text, or CBOR bytes. */
  write(frame) { return this.codec ? this.codec.encode(frame) : JSON.stringify(frame); }

  receive(data) {
    let f;
    if (typeof data === 'string') {
      this.test.textFrames++;
      try { f = JSON.parse(data); } catch (e) { return; }
    } else {
      this.test.binaryFrames++;
      if (!this.codec) return;
      try { f = this.codec.decode(data); } catch (e) { return; }
    }
    switch (f.type) {
      case 'welcome': return this.welcomed_(f);
      case 'ack': case 'error': case 'snapshot': {
        if (f.type === 'snapshot') this.applySnapshot(f);
        const p = f.re != null ? this.pending.get(f.re) : null;
        if (f.type === 'error' && f.re == null) this.emit('servererror', f);
        if (!p) return;
        this.pending.delete(f.re);
        return f.type === 'error' ? p.reject(f) : p.resolve(f);
      }
      case 'event': return this.applyEvent(f);
      case 'positions': return this.emit('positions', f);
      case 'moves': return this.emit('moves', f);
      case 'pong': return;
      default: return;
    }
  }

  welcomed_(f) {
    this.clockOffsetMs = f.serverTime - Date.now();
    const again = this.welcomed;
    this.welcomed = f;
    this.attempt = 0;
    this.setState('open');
    clearInterval(this.pinger);
    this.pinger = setInterval(() => this.raw({ type: 'ping' }), PING_EVERY_MS);
    this.emit('welcome', f);
    if (this.firstWelcome) { this.firstWelcome.resolve(f); this.firstWelcome = null; }
    if (again) for (const hunt of this.hunts.keys()) this.resume(hunt);
  }

  raw(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) { this.ws.send(this.write(frame)); return true; }
    return false;
  }

  /** Sends a command with a fresh id; resolves with its ack (or snapshot), rejects with its error. */
  send(type, fields = {}) {
    const id = `c${Date.now().toString(36)}-${(++this.counter).toString(36)}`;
    const frame = { type, id, ...fields };
    return new Promise((resolve, reject) => {
      if (this.state !== 'open' || !this.raw(frame)) {
        reject({ code: 'disconnected', message: 'not connected', re: id });
        return;
      }
      this.pending.set(id, { resolve, reject, frame });
    });
  }

  /** join (a player) or watch (anyone): the hunt's stream is followed from the ack's position on. */
  async follow(hunt, mode) {
    const entry = { epoch: null, seq: null, mode, buffer: [] };
    this.hunts.set(hunt, entry);
    const ack = await this.send(mode, { hunt });
    this.position(hunt, ack.stream);
    this.emit('followed', hunt, ack);
    return ack;
  }

  /** Sets where the hunt's stream stands, then applies the events that came before the answer. */
  position(hunt, stream) {
    const entry = this.hunts.get(hunt);
    if (!entry) return;
    entry.epoch = stream.epoch;
    entry.seq = stream.seq;
    const early = entry.buffer || [];
    entry.buffer = null;
    for (const f of early) this.applyEvent(f);
  }

  async resume(hunt) {
    const entry = this.hunts.get(hunt);
    if (!entry || entry.epoch == null) return;
    if (entry.resuming) return;
    entry.resuming = true;
    entry.buffer = [];
    try {
      const answer = await this.send('resume', { hunt, epoch: entry.epoch, seq: entry.seq });
      if (answer.type === 'ack') this.position(hunt, answer.stream);
      this.emit('followed', hunt, answer);
    } catch (e) {
      entry.buffer = null; // retried at the next welcome
    } finally {
      entry.resuming = false;
    }
  }

  applySnapshot(f) {
    const hunt = f.hunt && f.hunt.huntId;
    const entry = this.hunts.get(hunt);
    if (!entry) return;
    entry.epoch = f.stream.epoch;
    entry.seq = f.stream.seq;
    entry.buffer = null;
    (this.test.seqs[hunt] ||= []).push(`reset@${f.stream.seq}`);
    this.emit('snapshot', hunt, f);
  }

  // The client rule of docs/protocol.md §6.
  applyEvent(f) {
    const entry = this.hunts.get(f.hunt);
    if (!entry) return;
    if (entry.buffer) { entry.buffer.push(f); return; }
    if (f.epoch === entry.epoch && f.seq <= entry.seq) return; // a duplicate
    if (f.epoch !== entry.epoch || f.seq !== entry.seq + 1) { this.resume(f.hunt); return; }
    entry.seq = f.seq;
    (this.test.seqs[f.hunt] ||= []).push(f.seq);
    this.emit('event', f.hunt, f);
  }
}

/** Plain HTTP to the node's API: JSON in and out; rejects with the API's {code, message, status}. */
export async function api(method, path, { body, adminToken } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (adminToken) headers.Authorization = `Bearer ${adminToken}`;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', referrerPolicy: 'no-referrer' });
  let json = null;
  try { json = await r.json(); } catch (e) { /* no body */ }
  if (!r.ok) throw { status: r.status, ...(json && json.error ? json.error : { code: 'http_' + r.status, message: r.statusText }) };
  return json;
}
