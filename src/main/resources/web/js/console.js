// The organiser's console (/console). The admin token lives in sessionStorage only (this tab,
// until it closes) and travels in an Authorization header or a WebSocket hello frame — never in a
// URL, never in localStorage.
import { Client, api } from './client.js';
import { $, el, clear, name, renderLeaderboard, addLine, describe, showState } from './ui.js';
import { L, createMap, showArea } from './map.js';

const KEY = 'th.admin';
let token = sessionStorage.getItem(KEY);
let map = null;
let areaLayer = null;
const placed = []; // {lat, lon, marker, row}
let counter = 0;
let live = null; // {client, huntId, map, markers, hunt}

const admin = (method, path, body) => api(method, path, { body, adminToken: token });

$('#sign-in-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  token = $('#admin-token').value.trim();
  $('#admin-token').value = '';
  await signIn();
});

$('#sign-out').addEventListener('click', () => { sessionStorage.removeItem(KEY); location.reload(); });

async function signIn() {
  try {
    await refreshHunts();
  } catch (err) {
    sessionStorage.removeItem(KEY);
    token = null;
    $('#sign-in-error').textContent = err.status === 401 ? 'That is not the admin token.' : `${err.code}: ${err.message}`;
    return;
  }
  sessionStorage.setItem(KEY, token);
  $('#sign-in').hidden = true;
  $('#signed-in').hidden = false;
  $('#sign-out').hidden = false;
  if (!map) await setUpMap();
  refreshCluster();
}

// ---- hunts

async function refreshHunts() {
  const { hunts } = await admin('GET', '/api/hunts');
  const body = clear($('#hunts').tBodies[0]);
  for (const h of hunts) {
    const tr = el('tr', null, { 'data-hunt': h.huntId, 'data-status': h.status || 'unknown' },
      el('td', h.huntId), el('td', h.name), el('td', h.status || h.error, { class: 'status-cell' }),
      el('td', h.players, { class: 'num' }), el('td', h.treasures, { class: 'num' }));
    const actions = el('td', null, { class: 'actions' });
    const button = (label, cls, fn) => { const b = el('button', label, { type: 'button', class: cls }); b.addEventListener('click', fn); actions.append(b); };
    if (h.status === 'created') button('Start', 'start', () => act(h.huntId, 'start'));
    if (h.status === 'created' || h.status === 'live') button('End', 'end', () => act(h.huntId, 'end'));
    button('Watch', 'watch', () => watch(h.huntId));
    button('Spectator link', 'mint', () => mint(h.huntId));
    tr.append(actions);
    body.append(tr);
  }
}

$('#refresh').addEventListener('click', () => refreshHunts().catch(showError('#create-error')));

async function act(huntId, what) {
  try { await admin('POST', `/api/hunts/${encodeURIComponent(huntId)}/${what}`); } catch (err) { showError('#create-error')(err); }
  await refreshHunts();
}

async function mint(huntId) {
  const ttlSeconds = 24 * 3600;
  const s = await admin('POST', `/api/hunts/${encodeURIComponent(huntId)}/spectators`, { ttlSeconds, label: 'spectator' });
  // The token goes in the fragment: browsers never send it to a server (logs, Referer).
  $('#spectator-link').value = `${location.origin}/watch/${encodeURIComponent(huntId)}#token=${s.token}`;
  $('#player-link').value = `${location.origin}/play#hunt=${encodeURIComponent(huntId)}`;
  $('#link-ttl').textContent = `until ${new Date(s.expiresAt).toLocaleString()}`;
  $('#link-box').hidden = false;
}

const showError = (sel) => (err) => { $(sel).textContent = `${err.code || 'error'}: ${err.message || err}`; };

// ---- create

async function setUpMap() {
  map = await createMap($('#map'));
  window.__thConsoleMap = map;
  setArea(map.getCenter().lat, map.getCenter().lng);
  map.on('click', (e) => place(e.latlng.lat, e.latlng.lng));
  $('#area-here').addEventListener('click', () => setArea(map.getCenter().lat, map.getCenter().lng));
  for (const id of ['#area-lat', '#area-lon', '#area-radius']) $(id).addEventListener('change', drawArea);
}

function setArea(lat, lon) {
  $('#area-lat').value = lat.toFixed(6);
  $('#area-lon').value = lon.toFixed(6);
  drawArea();
}

function drawArea() {
  if (areaLayer) areaLayer.remove();
  areaLayer = L.circle([+$('#area-lat').value, +$('#area-lon').value], { radius: +$('#area-radius').value, color: '#2a7', weight: 2, fillOpacity: 0.04, interactive: false }).addTo(map);
}

function place(lat, lon) {
  const id = `t${++counter}`;
  // Not interactive: a click on or next to a treasure places another one.
  const marker = L.circleMarker([lat, lon], { radius: 8, color: '#b80', weight: 2, fillOpacity: 0.7, interactive: false }).addTo(map);
  marker.bindTooltip(id, { permanent: true, direction: 'right', offset: [8, 0] });
  const row = el('li', null, { 'data-treasure': id, class: 'treasure-row' },
    el('strong', id), el('span', ` ${lat.toFixed(5)}, ${lon.toFixed(5)}`),
    el('label', 'hint ', {}, el('input', null, { className: 'hint', maxLength: 500 })),
    el('label', 'points ', {}, el('input', null, { className: 'points', type: 'number', min: 0, value: 100 })),
    el('label', 'radius m ', {}, el('input', null, { className: 'radius', type: 'number', min: 1, max: 500, value: 15 })),
    el('label', 'answer ', {}, el('input', null, { className: 'answer', maxLength: 200, placeholder: 'none' })),
    el('label', ' exclusive', {}, el('input', null, { className: 'exclusive', type: 'checkbox' })));
  const remove = el('button', 'remove', { type: 'button', class: 'remove' });
  const t = { id, lat, lon, marker, row };
  remove.addEventListener('click', () => { marker.remove(); row.remove(); placed.splice(placed.indexOf(t), 1); });
  row.append(remove);
  $('#treasures').append(row);
  placed.push(t);
}

$('#create-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('#create-error').textContent = '';
  $('#create-result').textContent = '';
  const def = {
    name: $('#hunt-name').value,
    area: { lat: +$('#area-lat').value, lon: +$('#area-lon').value, radiusM: +$('#area-radius').value },
    maxPlayers: +$('#max-players').value,
    maxSpeedMps: +$('#max-speed').value,
    showPlayers: $('#show-players').checked,
  };
  if ($('#new-hunt-id').value.trim()) def.huntId = $('#new-hunt-id').value.trim();
  def.treasures = placed.map((t) => {
    const q = (c) => t.row.querySelector(c);
    const out = { id: t.id, lat: t.lat, lon: t.lon, points: +q('.points').value, radiusM: +q('.radius').value, exclusive: q('.exclusive').checked };
    if (q('.hint').value) out.hint = q('.hint').value;
    if (q('.answer').value) out.answer = q('.answer').value;
    return out;
  });
  const count = +$('#gen-count').value;
  if (count > 0) def.generate = { count, seed: +$('#gen-seed').value, points: +$('#gen-points').value };
  if (!def.treasures.length) delete def.treasures;
  try {
    const { huntId } = await admin('POST', '/api/hunts', def);
    for (const t of placed.splice(0)) { t.marker.remove(); t.row.remove(); }
    counter = 0;
    $('#create-error').textContent = '';
    $('#create-result').textContent = `Created ${huntId}: start it in the list above.`;
    await refreshHunts();
  } catch (err) { showError('#create-error')(err); }
});

// ---- watch live (as the organiser: everyone's positions)

async function watch(huntId) {
  if (live) { live.client.stop(); live.map.remove(); }
  $('#live-panel').hidden = false;
  const liveMap = await createMap($('#live-map'));
  const client = new Client(token);
  live = { client, huntId, map: liveMap, markers: new Map(), names: new Map(), hunt: null };
  const me = live;
  $('#conn').hidden = false;
  client.on('state', (s) => showState($('#conn'), s));
  client.on('event', (h, f) => liveEvent(me, f));
  client.on('snapshot', (h, f) => { me.hunt = f.hunt; liveRender(me); });
  client.on('positions', (f) => livePositions(me, f));
  clear($('#live-ticker'));
  await client.start();
  const ack = await client.follow(huntId, 'watch');
  me.hunt = ack.hunt;
  showArea(liveMap, ack.hunt.area);
  liveRender(me);
}

function liveRender(me) {
  $('#live-name').textContent = me.hunt.name;
  $('#live-status').textContent = `${me.hunt.status} · ${me.hunt.players} playing`;
  for (const e of me.hunt.leaderboard) me.names.set(e.playerId, e.name);
  renderLeaderboard($('#live-leaderboard'), me.hunt.leaderboard);
}

function liveEvent(me, f) {
  const ev = f.event;
  if (ev.name) me.names.set(ev.playerId, ev.name);
  if (ev.kind === 'leaderboard') me.hunt.leaderboard = ev.leaderboard;
  if (ev.kind === 'hunt_started') me.hunt.status = 'live';
  if (ev.kind === 'hunt_ended') me.hunt.status = 'ended';
  if (ev.kind === 'player_joined') me.hunt.players++;
  if (ev.kind === 'player_left') me.hunt.players--;
  liveRender(me);
  const parts = describe(ev);
  if (parts) addLine($('#live-ticker'), f.at, parts);
  if (ev.kind !== 'leaderboard' && ev.kind !== 'chat') refreshHunts().catch(() => {});
}

function livePositions(me, f) {
  for (const p of f.players) {
    let m = me.markers.get(p.playerId);
    if (!m) {
      m = L.circleMarker([p.lat, p.lon], { radius: 7, color: '#c33', weight: 2, fillOpacity: 0.8 }).addTo(me.map);
      m.bindTooltip('', { permanent: true, direction: 'right', offset: [8, 0] });
      me.markers.set(p.playerId, m);
    }
    m.setLatLng([p.lat, p.lon]);
    m.getTooltip().setContent(el('span', me.names.get(p.playerId) || p.playerId));
  }
}

// ---- cluster

async function refreshCluster() {
  try {
    const c = await admin('GET', '/api/cluster');
    const members = clear($('#members').tBodies[0]);
    for (const m of c.members) members.append(el('tr', null, {}, el('td', m.address + (m.self ? ' (this node)' : '') + (m.address === c.leader ? ' (leader)' : '')), el('td', m.status), el('td', m.reachable ? 'yes' : 'NO'), el('td', m.roles.join(', '))));
    const shards = clear($('#shards').tBodies[0]);
    for (const [type, nodes] of Object.entries(c.shards)) {
      for (const [node, s] of Object.entries(nodes)) shards.append(el('tr', null, { 'data-type': type }, el('td', type), el('td', node), el('td', s.shards, { class: 'num' }), el('td', s.entities, { class: 'num' })));
    }
  } catch (err) { /* shown at the next refresh */ }
}

$('#cluster-refresh').addEventListener('click', refreshCluster);
setInterval(() => { if (token && !document.hidden) refreshCluster(); }, 10_000);

if (token) signIn();
