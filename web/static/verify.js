// The citizen's verify page: everything below runs on the phone. The link's
// fragment (#b=…) never leaves the browser; the verdict comes from the same
// verifier validators run, compiled to WebAssembly.
import init, { verify_fragment_remembering, verify_bundle_remembering } from './pkg/yinzheng_web.js';

const HEADLINES = {
  valid: ['✔', '真实有效'],
  revoked: ['✘', '已撤销'],
  suspended: ['✘', '暂扣中，暂不可用'],
  stale: ['！', '真实，但当前状态未能核实'],
  superseded: ['✘', '已被新版本替代'],
  expired: ['✘', '已过有效期'],
  not_yet_valid: ['✘', '尚未生效'],
  invalid: ['✘', '无效或伪造'],
  unknown: ['？', '无法核验'],
};
const REASONS = {
  unspecified: '未说明原因', issued_in_error: '错误签发', holder_request: '持证人申请',
  legal_decision: '依法撤销', key_compromise: '密钥泄露', ceased: '已注销',
};
// National status codes (docs/spec/ecert.md §4).
const ECERT_STATUS = { '01': '有效', '02': '暂扣', '03': '撤销', '04': '注销', '05': '失效',
  '06': '办理转出', '07': '吊销', '99': '其他' };
const STEPS = ['链接内容不是有效的证明包', '验证节点集合不成立', '区块签名不成立（非本联盟或被篡改）',
  '记录未被包含在区块中（被篡改）', '签发方签名无效', '状态证明无效', '不在有效期内', '文件与记录不一致',
  '出示的证照信息与签发记录不符'];
const KINDS = { issue_certificate: '电子证照', supersede_certificate: '电子证照（新版本）',
  revoke_certificate: '证照撤销', stamp: '电子印章盖章', register_seal: '电子印章',
  revoke_seal: '电子印章注销', share_request: '数据共享申请', share_decision: '数据共享审批',
  share_delivery: '数据共享交付', share_receipt: '数据共享签收', register_org: '机构登记',
  update_org: '机构变更', register_key: '密钥登记', revoke_key: '密钥注销', grant: '授权',
  revoke_grant: '撤销授权', change_validators: '验证节点变更',
  register_peer: '节点身份登记', remove_peer: '节点身份注销',
  register_certificate_type: '证照类型登记', set_certificate_status: '电子证照状态变更',
  authorise_use: '授权用证', use_certificate: '用证记录' };

function beijing(ms, none = '长期') {
  if (!ms) return none;
  const d = new Date(ms + 8 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}年${p(d.getUTCMonth() + 1)}月${p(d.getUTCDate())}日 ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

const SAVED = ' 本页已保存在本机，无网络时也可打开核验。';
// Status older than this, offline, is not shown as a green "valid".
const MAX_AGE_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;

// `how`: 'online' (a fresh proof from a node verified here), 'offline' (the
// link's own bundle), 'lied' (a node answered with something that does not
// verify: ignored, the link's bundle shown).
function render(r, how = 'offline') {
  const age = r.status_time_ms ? Math.floor((Date.now() - r.status_time_ms) / DAY_MS) : null;
  let status = HEADLINES[r.status] ? r.status : 'unknown';
  // A valid verdict is as fresh as its status evidence: past the maximum
  // age (offline, or a node serving an old checkpoint), or after a node
  // lied, it is amber, never green.
  if (status === 'valid' && (how === 'lied' || (age !== null && age > MAX_AGE_DAYS))) {
    status = 'stale';
  }
  const card = document.getElementById('verdict');
  card.className = 'card ' + status;
  document.body.dataset.status = status;
  document.getElementById('icon').textContent = HEADLINES[status][0];
  document.getElementById('headline').textContent = HEADLINES[status][1];
  let sub = '';
  if (status === 'revoked' && r.status_code) {
    sub = `${beijing(r.changed_at_ms)} ${ECERT_STATUS[r.status_code] || r.status_code}`;
  } else if (status === 'revoked') {
    sub = `${beijing(r.changed_at_ms)} 撤销：${REASONS[r.revocation_reason] || r.revocation_reason || ''}`;
  } else if (status === 'suspended') {
    sub = `自 ${beijing(r.changed_at_ms)} 起暂扣`;
  } else if (status === 'superseded') {
    sub = `已由 ${r.superseded_by || '新版本'} 替代（${beijing(r.changed_at_ms)}）`;
  } else if (status === 'invalid' && r.error) {
    sub = `${STEPS[r.error.step] || ''}（第 ${r.error.step} 步，${r.error.code}）`;
  } else if (status === 'unknown' && r.message && r.message.startsWith('需联网')) {
    sub = r.message;
  } else if (status === 'unknown') {
    sub = '链接内容无法读取，请重新扫描或向出具单位核实';
  } else if (status === 'valid' && r.unconfirmed_set) {
    sub = '签署该证明的验证节点超出可信期限，可能已被替换；请联网获取较新的证明后再核验';
  } else if (status === 'valid' && !r.status_proven) {
    sub = '状态为签发时状态；如需最新状态，请联网核验';
  } else if (status === 'stale') {
    sub = `离线核验，状态截至 ${beijing(r.status_time_ms)}（${age} 天前），其后可能已被撤销；请联网核验`;
  }
  if (how === 'online' && r.status_time_ms) {
    sub = `联网核验：状态截至 ${beijing(r.status_time_ms)}${sub ? '；' + sub : ''}`;
  } else if (how !== 'online' && status !== 'stale' && status !== 'unknown' && r.status_time_ms) {
    sub = `离线核验，状态截至 ${beijing(r.status_time_ms)}（${age} 天前）${sub ? '；' + sub : ''}`;
  }
  document.getElementById('subline').textContent = sub;
  document.getElementById('warning').textContent = how === 'lied'
    ? '⚠ 节点返回的状态证明未通过核验（可能被篡改或不属于本联盟），已忽略；以上为离线核验结果'
    : '';
  const dl = document.getElementById('details');
  dl.innerHTML = '';
  const add = (k, v) => {
    if (v === undefined || v === null || v === '') return;
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = v;
    dl.append(dt, dd);
  };
  // Display fields the holder chose to show, each proven against the
  // issuer's commitment: what to compare with the paper.
  for (const f of r.fields || []) add(`✔ ${f.name}（已核验）`, f.value);
  if (r.subject) {
    add('事项', KINDS[r.subject.kind] || r.subject.kind);
    add('编号', r.subject.id);
    add('签发机构', r.issuer_name ? `${r.issuer_name}（${r.subject.issuer}）` : r.subject.issuer);
  }
  if (r.status_code) add('证照状态', `${r.status_code} ${ECERT_STATUS[r.status_code] || ''}`);
  if (r.legacy_check) add('标识校验位', '存量证照，采用已知的非标准校验算法');
  if (r.anchored_time_ms) add('上链时间', `${beijing(r.anchored_time_ms)}（区块 ${r.anchored_height}）`);
  if (r.valid_from_ms !== null && r.valid_from_ms !== undefined) add('有效期', `${beijing(r.valid_from_ms, '不限')} 至 ${beijing(r.valid_until_ms)}`);
  if (r.status_time_ms) add('状态截至', `${beijing(r.status_time_ms)}（${r.status_proven ? '状态证明' : '签发时'}）`);
  if (r.record_id) add('记录编号', r.record_id);
  if (status === 'unknown' && r.message) add('技术信息', r.message);
  dl.style.display = dl.childElementCount ? '' : 'none';
  document.getElementById('trust').textContent =
    `本页在您的设备上离线核验，只信任联盟“${r.chain_id || CHAIN_ID}”的创世文件，不信任任何服务器。`
    + (document.body.dataset.offlineReady === '1' ? SAVED : '');
}

const genesis = document.getElementById('genesis').textContent;
const CHAIN_ID = (() => { try { return JSON.parse(genesis).chain_id || ''; } catch (e) { return ''; } })();
await init();
// The validator-set changes learned from earlier bundles (docs/spec/bundle.md
// §6.1), kept on this device only.
const HISTORY = 'yinzheng-validator-history';
const kept = () => { try { return localStorage.getItem(HISTORY) || ''; } catch (e) { return ''; } };
const keep = (h) => { try { if (h) localStorage.setItem(HISTORY, h); } catch (e) { /* private mode */ } };
// Nodes to ask for the status now: the link's `n=` (docs/spec/qr.md), else
// the node that served this page, else the genesis's `endpoints` in order.
// None is trusted: an answer is verified here like the link's own bundle.
const ENDPOINTS = (() => {
  try { return (JSON.parse(genesis).endpoints || []).filter((e) => /^https?:\/\//.test(e)); } catch (e) { return []; }
})();
const nodeBases = () => {
  const n = new URLSearchParams(location.hash.replace(/^#/, '')).get('n');
  if (n && /^https?:\/\//.test(n)) return [n.replace(/\/+$/, '')];
  if (location.pathname.startsWith('/verify/')) return [location.origin];
  return ENDPOINTS;
};
async function fresh(r, base) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 5000);
  try {
    const resp = await fetch(`${base}/v1/bundle/record/${r.record_id}`, { signal: ctl.signal, cache: 'no-store' });
    if (resp.status === 404) return { how: 'lied' }; // the consortium should know a record the link proves
    if (!resp.ok) return null;                      // busy or down: offline
    const bytes = new Uint8Array(await resp.arrayBuffer());
    const f = JSON.parse(verify_bundle_remembering(genesis, kept(), bytes, Date.now()));
    // A proof that does not verify, of another record, or older than the
    // link's own, is a node lying (or serving another chain).
    if (f.status === 'invalid' || f.status === 'unknown' || f.record_id !== r.record_id
        || (f.status_height || 0) < (r.status_height || 0)) return { how: 'lied' };
    if (f.history) keep(f.history);
    return { how: 'online', r: f };
  } catch (e) {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
// A reference link (`#r=<chain>~<record id>~<height>~<node>`, docs/spec/qr.md):
// the bundle is fetched from the named node and verified here, as the CLI does.
const b64urlText = (s) => {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
};
async function reference(frag) {
  const parts = frag.slice(2).split('~');
  let chain, id, node;
  try {
    [chain, id, node] = [b64urlText(parts[0]), parts[1], b64urlText(parts[3] || '')];
  } catch (e) {
    return { status: 'unknown', message: 'the reference link is damaged' };
  }
  if (parts.length !== 4 || !/^[0-9a-f]{64}$/.test(id) || !/^https?:\/\//.test(node)) {
    return { status: 'unknown', message: 'the reference link is damaged' };
  }
  if (chain !== CHAIN_ID) return { status: 'unknown', message: `the link is for consortium ${chain}, not ${CHAIN_ID}` };
  const base = node.replace(/\/+$/, '');
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 5000);
  try {
    const resp = await fetch(`${base}/v1/bundle/record/${id}`, { signal: ctl.signal, cache: 'no-store' });
    if (!resp.ok) return { status: 'unknown', message: `the node answered ${resp.status}` };
    const bytes = new Uint8Array(await resp.arrayBuffer());
    const r = JSON.parse(verify_bundle_remembering(genesis, kept(), bytes, Date.now()));
    if (r.status !== 'invalid' && r.status !== 'unknown' && r.record_id !== id) {
      return { status: 'invalid', error: { step: 3, code: 'INCLUSION_PROOF', message: 'the node proved another record' } };
    }
    if (r.history) keep(r.history);
    return r;
  } catch (e) {
    return { status: 'unknown', message: '需联网获取证明：节点无法访问' };
  } finally {
    clearTimeout(timer);
  }
}
let run = 0;
const check = async () => {
  const mine = ++run;
  const frag = location.hash.replace(/^#/, '');
  if (frag.startsWith('r=')) {
    document.body.dataset.settled = '';
    const r = await reference(frag);
    if (mine !== run) return;
    render(r, r.status === 'unknown' ? 'offline' : 'online');
    document.body.dataset.settled = '1';
    return;
  }
  let r;
  try { r = JSON.parse(verify_fragment_remembering(genesis, kept(), location.hash, Date.now())); }
  catch (e) { r = { status: 'unknown', message: String(e) }; }
  if (r.history) keep(r.history);
  render(r, 'offline');
  const bases = nodeBases();
  if (!bases.length || !r.record_id || r.status === 'invalid' || r.status === 'unknown' || navigator.onLine === false) {
    document.body.dataset.settled = '1';
    return;
  }
  document.body.dataset.settled = '';
  // The first node that answers is heard (one that lies gets the warning);
  // an unreachable one passes the question to the next.
  let got = null;
  for (const base of bases) {
    got = await fresh(r, base);
    if (got || mine !== run) break;
  }
  if (mine !== run) return;
  // The fields the link opened were proven against this same record: they
  // stay shown with the fresh status (a node's bundle carries no openings).
  if (got && got.how === 'online') render({ ...got.r, fields: r.fields }, 'online');
  else if (got && got.how === 'lied') render(r, 'lied');
  document.body.dataset.settled = '1';
};
// Kept on the phone after this visit (sw.js): the page then opens and verifies
// with the network off.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('sw.js').then(() => navigator.serviceWorker.ready).then(() => {
    document.body.dataset.offlineReady = '1';
    const t = document.getElementById('trust');
    if (t && !t.textContent.includes(SAVED)) t.textContent += SAVED;
  }).catch(() => { /* not over https, or private mode: online only */ });
}
window.addEventListener('hashchange', check);
check();
