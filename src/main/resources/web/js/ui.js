// DOM helpers shared by the pages. Text from the server (names, chat, hints, hunt names) is
// attacker-controlled: it only ever reaches the page through textContent, never innerHTML.

export const $ = (sel, root = document) => root.querySelector(sel);

/** An element with text (as text) and attributes; children appended in order. */
export function el(tag, text, attrs = {}, ...children) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

/** A name in a <bdi>, so a right-to-left name cannot reorder what is around it (protocol §3.3). */
export const name = (n) => el('bdi', n);

export function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

export function renderLeaderboard(table, entries, me) {
  const body = clear(table.tBodies[0] || table.appendChild(document.createElement('tbody')));
  for (const e of entries || []) {
    const tr = el('tr', null, { 'data-player': e.playerId });
    if (me && e.playerId === me) tr.className = 'me';
    tr.append(el('td', e.rank), el('td', null, {}, name(e.name)), el('td', e.score, { class: 'num' }), el('td', e.found, { class: 'num' }));
    body.append(tr);
  }
}

const time = (at) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** One line of a ticker or chat list for a stream event; newest first, at most `keep` lines. */
export function addLine(list, at, parts, { keep = 200, cls } = {}) {
  const li = el('li', null, cls ? { class: cls } : {}, el('time', time(at)));
  for (const p of parts) li.append(typeof p === 'string' ? document.createTextNode(p) : p);
  list.prepend(li);
  while (list.children.length > keep) list.lastChild.remove();
  return li;
}

/** The ticker's words for a stream event. */
export function describe(ev) {
  switch (ev.kind) {
    case 'hunt_started': return ['the hunt started'];
    case 'hunt_ended': return ['the hunt ended'];
    case 'player_joined': return [name(ev.name), ' joined'];
    case 'player_left': return [name(ev.name), ' left'];
    case 'treasure_found': return [name(ev.name), ` found ${ev.treasure} (+${ev.points})`];
    case 'leaderboard': return null;
    case 'chat': return [name(ev.name), ': ', el('span', ev.text, { class: 'chat-text' })];
    default: return [ev.kind];
  }
}

/** The connection badge: a visible "reconnecting…" while the socket is down. */
export function showState(badge, state) {
  const words = { connecting: 'connecting…', open: 'live', reconnecting: 'reconnecting…', closed: 'offline', unauthorized: 'signed out' };
  badge.textContent = words[state] || state;
  badge.dataset.state = state;
}
