// The verify page's service worker: after one visit the page, its verifier
// (wasm) and the genesis it embeds are kept on the phone, so the page opens and
// verifies with the network off. Answers come from the cache at once and are
// refreshed from the network behind it. A node's /v1 answers (fresh status
// proofs) are never cached: a status is only as good as the moment it is read.
const CACHE = 'yinzheng-verify-v1';
const FILES = ['./', 'index.html', 'verify.js', 'style.css', 'pkg/yinzheng_web.js', 'pkg/yinzheng_web_bg.wasm'];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});
self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.includes('/v1/')) return;
  e.respondWith(caches.open(CACHE).then(async (c) => {
    const hit = await c.match(e.request, { ignoreSearch: true });
    const net = fetch(e.request).then((r) => { if (r.ok) c.put(e.request, r.clone()); return r; });
    if (hit) { net.catch(() => {}); return hit; }
    return net;
  }));
});
