// The player's page (/play): register, pick a live hunt, join, and let the phone's GPS play.
// A fix is sent when the last answer's nextPollMs has passed (the server's advice, protocol §5), the
// nearest band is shown big, and the socket resumes the hunt's stream after any drop.
//
// Kept in localStorage: the player token (so a reload or a dropped phone comes back as the same
// player) and the hunt being played. Nothing else.
import { Client, api } from './client.js';
import { $, el, clear, name, renderLeaderboard, addLine, describe, showState } from './ui.js';

const STORE = 'th.player';
const HUNT = 'th.hunt';

let me = JSON.parse(localStorage.getItem(STORE) || 'null');
let client = null;
let hunt = null; // the public view
let huntId = null;
let found = new Set(); // treasures found (acks and events)
let scored = new Set(); // treasures whose points are in `score`
let score = 0;
let nextPollMs = 1000;
let lastSentAt = 0;
let lastSentFixAt = 0;
let fix = null;
let sending = false;
let watchId = null;
let timer = null;

const show = (id) => { for (const s of ['register', 'pick', 'game']) $('#' + s).hidden = s !== id; };
const say = (text) => { $('#message').textContent = text || ''; };

function start() {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('hunt') || new URLSearchParams(location.search).get('hunt');
  if (fromLink) localStorage.setItem(HUNT, fromLink);
  if (!me) { show('register'); return; }
  connect();
}

$('#register-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    me = await api('POST', '/api/players', { body: { name: $('#name').value } });
    localStorage.setItem(STORE, JSON.stringify(me));
    connect();
  } catch (err) { alertText(err); }
});

$('#forget').addEventListener('click', () => {
  localStorage.removeItem(STORE); localStorage.removeItem(HUNT);
  if (client) client.stop();
  me = null; client = null; show('register');
});

function alertText(err) {
  const p = el('p', `${err.code || 'error'}: ${err.message || ''}`, { class: 'error' });
  document.querySelector('main section:not([hidden])')?.prepend(p);
  setTimeout(() => p.remove(), 8000);
}

async function connect() {
  client = new Client(me.token);
  client.on('state', (s) => {
    showState($('#conn'), s);
    if (s === 'unauthorized') { localStorage.removeItem(STORE); me = null; show('register'); }
  });
  client.on('event', onEvent);
  client.on('snapshot', (h, f) => { hunt = f.hunt; if (f.you) setYou(f.you); renderHunt(); });
  client.on('followed', () => say(''));
  client.on('servererror', (f) => say(f.message));
  try { await client.start(); } catch (e) { return; }
  $('#me-name').textContent = me.name;
  const saved = localStorage.getItem(HUNT);
  if (saved) join(saved); else pick();
}

async function pick() {
  show('pick');
  const list = clear($('#hunt-list'));
  try {
    const { hunts } = await api('GET', '/api/live-hunts');
    if (!hunts.length) list.append(el('li', 'No live hunt right now. Ask the organiser for a link.'));
    for (const h of hunts) {
      const b = el('button', null, { type: 'button', class: 'hunt', 'data-hunt': h.huntId }, el('strong', h.name), el('span', ` ${h.players} playing`));
      b.addEventListener('click', () => join(h.huntId));
      list.append(el('li', null, {}, b));
    }
  } catch (e) { list.append(el('li', 'Enter the hunt id the organiser gave you.')); }
}

$('#hunt-form').addEventListener('submit', (e) => { e.preventDefault(); join($('#hunt-id').value.trim()); });

async function join(id) {
  try {
    const ack = await client.follow(id, 'join');
    huntId = id;
    localStorage.setItem(HUNT, id);
    hunt = ack.hunt;
    setYou(ack.you);
    nextPollMs = ack.nextPollMs;
    show('game');
    renderHunt();
    startGps();
  } catch (err) {
    localStorage.removeItem(HUNT);
    pick();
    alertText(err);
  }
}

function setScore(value) { score = value; $('#score').textContent = value; }

function setYou(you) {
  found = new Set(you.found);
  scored = new Set(you.found);
  setScore(you.score);
  renderFinds();
}

function renderHunt() {
  $('#hunt-name').textContent = hunt.name;
  $('#hunt-status').textContent = { created: 'Not started yet: walk around, the treasures count once it starts.', live: 'Live', ended: 'This hunt has ended.' }[hunt.status] || hunt.status;
  $('#hunt-status').dataset.status = hunt.status;
  const hints = clear($('#hints'));
  for (const t of hunt.treasures) {
    if (!t.hint) continue;
    const li = el('li', null, { 'data-treasure': t.id }, el('strong', t.id), ` (${t.points}${t.needsAnswer ? ', answer needed' : ''}${t.exclusive ? ', first finder only' : ''}): `, el('span', t.hint));
    if (found.has(t.id)) li.className = 'done';
    hints.append(li);
  }
  renderLeaderboard($('#leaderboard'), hunt.leaderboard, me.playerId);
  renderFinds();
}

function renderFinds() {
  const ul = clear($('#finds'));
  for (const id of found) ul.append(el('li', id, { 'data-treasure': id }));
  $('#found-count').textContent = found.size;
  for (const li of document.querySelectorAll('#hints li')) li.classList.toggle('done', found.has(li.dataset.treasure));
}

function onEvent(h, f) {
  if (h !== huntId) return;
  const ev = f.event;
  if (ev.kind === 'leaderboard') { hunt.leaderboard = ev.leaderboard; renderLeaderboard($('#leaderboard'), ev.leaderboard, me.playerId); return; }
  if (ev.kind === 'hunt_started') { hunt.status = 'live'; renderHunt(); sendFix(true); }
  if (ev.kind === 'hunt_ended') { hunt.status = 'ended'; renderHunt(); }
  if (ev.kind === 'treasure_found' && ev.playerId === me.playerId) {
    found.add(ev.treasure);
    if (!scored.has(ev.treasure)) { scored.add(ev.treasure); setScore(score + ev.points); }
    renderFinds();
  }
  const parts = describe(ev);
  if (parts) addLine($('#chat'), f.at, parts, { cls: ev.kind === 'chat' ? 'chat' : 'news' });
}

// ---- GPS

function startGps() {
  if (watchId != null) return;
  if (!navigator.geolocation) { $('#gps').textContent = 'This browser gives no location.'; return; }
  watchId = navigator.geolocation.watchPosition(
    (p) => {
      fix = { lat: p.coords.latitude, lon: p.coords.longitude, accuracyM: Math.min(100000, Math.round(p.coords.accuracy || 0)) };
      $('#gps').textContent = `GPS ±${fix.accuracyM} m`;
      if (Date.now() - lastSentAt >= nextPollMs) sendFix();
    },
    (err) => { $('#gps').textContent = `No location: ${err.message}. Allow location for this page.`; },
    { enableHighAccuracy: true, maximumAge: 0, timeout: 30000 });
  clearInterval(timer);
  timer = setInterval(() => { if (Date.now() - lastSentAt >= nextPollMs) sendFix(); }, 250);
}

// Sends the latest fix. Its `at` is now by the server's clock (the welcome's serverTime corrects a
// phone whose clock is off): a fix is "where I am now", also when the phone did not move and the
// browser had nothing new to report.
async function sendFix(force) {
  if (!fix || sending || !huntId || client.state !== 'open') return;
  if (!force && Date.now() - lastSentAt < nextPollMs) return;
  sending = true;
  lastSentAt = Date.now();
  const at = Math.max(Math.round(client.now()), lastSentFixAt + 1);
  lastSentFixAt = at;
  try {
    const ack = await client.send('location', { hunt: huntId, ...fix, at });
    nextPollMs = ack.nextPollMs;
    client.test.fixes = (client.test.fixes || 0) + 1;
    showBand(ack.nearest);
    for (const t of ack.found) { found.add(t); say(`You found ${t}!`); }
    if (ack.alreadyClaimed && ack.alreadyClaimed.length) say(`Someone else took ${ack.alreadyClaimed.join(', ')} first.`);
    renderFinds();
    showClaim(ack.atTreasure);
  } catch (err) {
    if (err.code === 'overloaded' || err.code === 'unavailable' || err.code === 'rate_limited') lastSentAt = Date.now() + (err.retryAfterMs || 1000) - nextPollMs;
    else if (err.code !== 'disconnected') say(err.message);
  } finally { sending = false; }
}

function showBand(nearest) {
  const b = $('#band');
  b.dataset.band = nearest || 'none';
  b.textContent = nearest ? nearest.toUpperCase() : hunt.status === 'live' ? (found.size === hunt.treasures.length ? 'all found!' : 'keep walking') : 'waiting for the start';
}

function showClaim(treasureId) {
  const form = $('#claim-form');
  form.hidden = !treasureId;
  if (!treasureId) return;
  form.dataset.treasure = treasureId;
  $('#claim-treasure').textContent = treasureId;
  const t = hunt.treasures.find((x) => x.id === treasureId);
  $('#claim-hint').textContent = t && t.hint ? t.hint : '';
}

$('#claim-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const treasure = e.target.dataset.treasure;
  try {
    const ack = await client.send('claim', { hunt: huntId, treasure, answer: $('#answer').value });
    found.add(treasure); scored.add(treasure); setScore(ack.score); renderFinds();
    say(`Right! +${ack.points}`); showClaim(null); $('#answer').value = '';
  } catch (err) { say(err.code === 'wrong_answer' ? 'Not the answer. Try again.' : err.message); }
});

$('#chat-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try { await client.send('chat', { hunt: huntId, text: $('#chat-text').value }); $('#chat-text').value = ''; } catch (err) { say(err.message); }
});

$('#leave').addEventListener('click', async () => {
  try { await client.send('leave', { hunt: huntId }); } catch (e) { /* left anyway */ }
  client.hunts.delete(huntId);
  localStorage.removeItem(HUNT);
  huntId = null;
  if (watchId != null) navigator.geolocation.clearWatch(watchId);
  watchId = null; clearInterval(timer);
  pick();
});

start();
