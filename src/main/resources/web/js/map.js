// The maps of the spectator page and the console: Leaflet from the node's jar, and by default no
// tiles at all — a plain background, the hunt area's circle, a grid every 100 m / 1 km and a scale
// bar — so a map works offline and makes no request to another host. /ui-config.json names a tile
// server when the operator set TH_MAP_TILES (and its attribution).
import * as L from '/vendor/leaflet/leaflet-src.esm.js';

export { L };

let configPromise;
export function uiConfig() {
  configPromise ||= fetch('/ui-config.json', { cache: 'no-store' }).then((r) => r.json()).catch(() => ({}));
  return configPromise;
}

export async function createMap(container, { lat = 52.3702, lon = 4.8952, zoom = 15 } = {}) {
  const map = L.map(container, { zoomControl: true, attributionControl: true, preferCanvas: true }).setView([lat, lon], zoom);
  const cfg = await uiConfig();
  if (cfg.mapTiles) L.tileLayer(cfg.mapTiles, { attribution: cfg.mapAttribution || '', maxZoom: 19 }).addTo(map);
  else map.attributionControl.setPrefix('no tiles: set TH_MAP_TILES for a map');
  L.control.scale({ metric: true, imperial: false }).addTo(map);
  const grid = L.layerGroup().addTo(map);
  const drawGrid = () => {
    grid.clearLayers();
    const b = map.getBounds();
    const metresPerDegLat = 111_320;
    const widthM = map.distance(b.getSouthWest(), b.getSouthEast());
    const step = widthM > 8000 ? 1000 : widthM > 800 ? 100 : 10; // metres
    const dLat = step / metresPerDegLat;
    const dLon = step / (metresPerDegLat * Math.cos((b.getCenter().lat * Math.PI) / 180));
    const style = { color: '#9aa7b4', weight: 1, opacity: 0.5, interactive: false };
    for (let y = Math.floor(b.getSouth() / dLat) * dLat; y <= b.getNorth(); y += dLat) grid.addLayer(L.polyline([[y, b.getWest()], [y, b.getEast()]], style));
    for (let x = Math.floor(b.getWest() / dLon) * dLon; x <= b.getEast(); x += dLon) grid.addLayer(L.polyline([[b.getSouth(), x], [b.getNorth(), x]], style));
  };
  map.on('moveend zoomend', drawGrid);
  drawGrid();
  return map;
}

/** The hunt's area: a circle, and the map fitted to it. */
export function showArea(map, area, layer) {
  if (layer) layer.remove();
  const c = L.circle([area.lat, area.lon], { radius: area.radiusM, color: '#2a7', weight: 2, fillOpacity: 0.05, interactive: false }).addTo(map);
  map.fitBounds(c.getBounds(), { padding: [10, 10] });
  return c;
}
