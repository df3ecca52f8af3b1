// The spectator's page (/watch/{hunt}). With a spectator link minted in the console
// (/watch/{hunt}#token=…; the token sits in the fragment, which the browser never sends to a server)
// it watches as that spectator: the players' positions on the map, as the privacy policy allows
// (docs/privacy.md). Without a link it shows the hunt's public view live — leaderboard, finds, chat
// and the ticker, no positions — watching with a viewer's player token this browser registers once
// (kept in localStorage; a viewer never joins, so it never appears in the hunt). Where registration
// is switched off, the public view is polled over HTTP instead, without the ticker.
//
// With a link the page asks only for the players inside the map's bounds (protocol 1.1 `view`,
// docs/protocol.md §7.1): it sends the bounds when the map moves or zooms (debounced), again after a
// reconnect, and draws the `moves` deltas (short ids, moved, gone).
import { Client, api } from './client.js';
import { $, el, clear, name, renderLeaderboard, addLine, describe, showState } from './ui.js';
import { L, createMap, showArea } from './map.js';

const VIEWER = 'th.viewer';
const huntId = decodeURIComponent(location.pathname.split('/')[2] || '');
const params = new URLSearchParams(location.hash.slice(1));
const token = params.get('token') || new URLSearchParams(location.search).get('token');
const names = new Map();
const markers = new Map();
const byNumber = new Map(); // the short ids of `moves` frames → playerId
const VIEW_DEBOUNCE_MS = 300;
const MAX_SPAN = 0.5; // degrees a box may span (docs/protocol.md §7.1)
let viewTimer = null;
window.__thView = { sent: 0, moves: 0, positions: 0, box: null };
let map = null;
let hunt = null;
let client = null;

const say = (t) => { $('#message').textContent = t || ''; };

async function main() {
  if (!huntId) return pick();
  $('#live').hidden = false;
  map = await createMap($('#map'));
  window.__thMap = map;
  let t = token;
  $('#mode').textContent = t ? 'spectator link' : 'public view';
  $('#positions-note').textContent = t ? '' : 'Positions are shown only with a spectator link from the organiser.';
  if (!t) t = await viewerToken();
  if (!t) return poll();
  client = new Client(t);
  client.on('state', (s) => { showState($('#conn'), s); if (s === 'unauthorized') say('This link has expired or is not valid: ask the organiser for a new one.'); });
  client.on('event', (h, f) => onEvent(f));
  client.on('snapshot', (h, f) => { hunt = f.hunt; render(); });
  client.on('positions', onPositions);
  if (token) {
    client.on('moves', onMoves);
    // After the watch's ack and after every resume (a reconnect): the viewport again.
    client.on('followed', (h) => { if (h === huntId) sendView(); });
    map.on('moveend', sendView); // also after a zoom
  }
  try {
    await client.start();
    const ack = await client.follow(huntId, 'watch');
    hunt = ack.hunt;
    showArea(map, hunt.area);
    render();
  } catch (err) {
    say(`${err.code}: ${err.message}`);
  }
}

async function viewerToken() {
  let v = JSON.parse(localStorage.getItem(VIEWER) || 'null');
  if (v) return v.token;
  try {
    v = await api('POST', '/api/players', { body: { name: 'viewer' } });
    localStorage.setItem(VIEWER, JSON.stringify(v));
    return v.token;
  } catch (e) { return null; }
}

async function poll() {
  $('#mode').textContent = 'public view (polled)';
  const once = async () => {
    try {
      hunt = await api('GET', `/api/hunts/${encodeURIComponent(huntId)}`);
      showState($('#conn'), 'open');
      render();
    } catch (e) { showState($('#conn'), 'reconnecting'); }
  };
  await once();
  if (hunt) showArea(map, hunt.area);
  setInterval(once, 5000);
}

async function pick() {
  $('#pick').hidden = false;
  const list = clear($('#hunt-list'));
  try {
    const { hunts } = await api('GET', '/api/live-hunts');
    if (!hunts.length) list.append(el('li', 'No live hunt right now.'));
    for (const h of hunts) list.append(el('li', null, {}, el('a', h.name, { href: `/watch/${encodeURIComponent(h.huntId)}` })));
  } catch (e) { list.append(el('li', 'Open the link the organiser shared.')); }
}

function render() {
  $('#title').textContent = hunt.name;
  $('#hunt-status').textContent = `${hunt.status} · ${hunt.players} playing · ${hunt.treasures.length} treasures`;
  $('#hunt-status').dataset.status = hunt.status;
  for (const e of hunt.leaderboard) names.set(e.playerId, e.name);
  renderLeaderboard($('#leaderboard'), hunt.leaderboard);
}

function onEvent(f) {
  const ev = f.event;
  if (ev.name) names.set(ev.playerId, ev.name);
  switch (ev.kind) {
    case 'leaderboard': hunt.leaderboard = ev.leaderboard; render(); return;
    case 'hunt_started': hunt.status = 'live'; break;
    case 'hunt_ended': hunt.status = 'ended'; break;
    case 'player_joined': hunt.players++; break;
    case 'player_left': hunt.players = Math.max(0, hunt.players - 1); dropMarker(ev.playerId); break;
    case 'treasure_found': {
      const t = hunt.treasures.find((x) => x.id === ev.treasure);
      if (t) t.finds++;
      addLine($('#finds'), f.at, [name(ev.name), ` found ${ev.treasure} (+${ev.points})`], { cls: 'find' });
      break;
    }
    case 'chat': addLine($('#chat'), f.at, describe(ev), { cls: 'chat' }); break;
    default: break;
  }
  render();
  const parts = describe(ev);
  if (parts) addLine($('#ticker'), f.at, parts);
}

function onPositions(f) {
  if (f.hunt !== huntId) return;
  window.__thView.positions++;
  for (const p of f.players) place(p.playerId, p.lat, p.lon);
  noteCount();
}

/** The map's bounds as a viewport box: within the globe and at most MAX_SPAN a side (its centre). */
function boxOf() {
  const b = map.getBounds();
  const c = b.getCenter();
  const half = MAX_SPAN / 2 - 1e-6;
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  return {
    south: clamp(Math.max(b.getSouth(), c.lat - half), -90, 90),
    north: clamp(Math.min(b.getNorth(), c.lat + half), -90, 90),
    west: clamp(Math.max(b.getWest(), c.lng - half), -180, 180),
    east: clamp(Math.min(b.getEast(), c.lng + half), -180, 180),
  };
}

/** Sends the map's bounds once the map has stopped moving for a moment. */
function sendView() {
  clearTimeout(viewTimer);
  viewTimer = setTimeout(() => {
    if (!client || client.state !== 'open') return; // sent again after the reconnect's resume
    const box = boxOf();
    window.__thView.box = box;
    window.__thView.sent++;
    client.send('view', { hunt: huntId, box }).catch((e) => { if (e.code !== 'disconnected') say(`${e.code}: ${e.message}`); });
  }, VIEW_DEBOUNCE_MS);
}

/** A viewport's delta: start afresh if full, learn the new ids, move, drop who is gone. */
function onMoves(f) {
  if (f.hunt !== huntId) return;
  window.__thView.moves++;
  if (f.full) {
    for (const m of markers.values()) m.remove();
    markers.clear();
    byNumber.clear();
  }
  for (const i of f.ids || []) byNumber.set(i.n, i.playerId);
  for (const [n, lat, lon] of f.moved) {
    const playerId = byNumber.get(n);
    if (playerId) place(playerId, lat, lon);
  }
  for (const n of f.gone || []) {
    const playerId = byNumber.get(n);
    if (playerId) dropMarker(playerId);
  }
  noteCount();
}

function place(playerId, lat, lon) {
  let m = markers.get(playerId);
  if (!m) {
    m = L.circleMarker([lat, lon], { radius: 7, color: '#c33', weight: 2, fillOpacity: 0.8 }).addTo(map);
    m.bindTooltip('', { permanent: true, direction: 'right', offset: [8, 0] });
    markers.set(playerId, m);
  }
  m.setLatLng([lat, lon]);
  // setContent with a DOM node: the name is text, never HTML.
  m.getTooltip().setContent(el('span', names.get(playerId) || playerId));
}

function noteCount() {
  $('#positions-note').textContent = `${markers.size} player(s) on the map`;
}

function dropMarker(playerId) {
  const m = markers.get(playerId);
  if (m) { m.remove(); markers.delete(playerId); }
}

main();
