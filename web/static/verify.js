// The citizen's verify page: everything below runs on the phone. The link's
// fragment (#b=…) never leaves the browser; the verdict comes from the same
// verifier validators run, compiled to WebAssembly.
import init, { verify_fragment_remembering } from './pkg/yinzheng_web.js';

const HEADLINES = {
  valid: ['✔', '真实有效'],
  revoked: ['✘', '已撤销'],
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
const STEPS = ['链接内容不是有效的证明包', '验证节点集合不成立', '区块签名不成立（非本联盟或被篡改）',
  '记录未被包含在区块中（被篡改）', '签发方签名无效', '状态证明无效', '不在有效期内', '文件与记录不一致'];
const KINDS = { issue_certificate: '电子证照', supersede_certificate: '电子证照（新版本）',
  revoke_certificate: '证照撤销', stamp: '电子印章盖章', register_seal: '电子印章',
  revoke_seal: '电子印章注销', share_request: '数据共享申请', share_decision: '数据共享审批',
  share_delivery: '数据共享交付', share_receipt: '数据共享签收', register_org: '机构登记',
  update_org: '机构变更', register_key: '密钥登记', revoke_key: '密钥注销', grant: '授权',
  revoke_grant: '撤销授权', change_validators: '验证节点变更' };

function beijing(ms, none = '长期') {
  if (!ms) return none;
  const d = new Date(ms + 8 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}年${p(d.getUTCMonth() + 1)}月${p(d.getUTCDate())}日 ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

function render(r) {
  const status = HEADLINES[r.status] ? r.status : 'unknown';
  const card = document.getElementById('verdict');
  card.className = 'card ' + status;
  document.body.dataset.status = status;
  document.getElementById('icon').textContent = HEADLINES[status][0];
  document.getElementById('headline').textContent = HEADLINES[status][1];
  let sub = '';
  if (status === 'revoked') {
    sub = `${beijing(r.changed_at_ms)} 撤销：${REASONS[r.revocation_reason] || r.revocation_reason || ''}`;
  } else if (status === 'superseded') {
    sub = `已由 ${r.superseded_by || '新版本'} 替代（${beijing(r.changed_at_ms)}）`;
  } else if (status === 'invalid' && r.error) {
    sub = `${STEPS[r.error.step] || ''}（第 ${r.error.step} 步，${r.error.code}）`;
  } else if (status === 'unknown') {
    sub = '链接内容无法读取，请重新扫描或向出具单位核实';
  } else if (status === 'valid' && r.unconfirmed_set) {
    sub = '签署该证明的验证节点超出可信期限，可能已被替换；请联网获取较新的证明后再核验';
  } else if (status === 'valid' && !r.status_proven) {
    sub = '状态为签发时状态；如需最新状态，请联网核验';
  }
  document.getElementById('subline').textContent = sub;
  const dl = document.getElementById('details');
  dl.innerHTML = '';
  const add = (k, v) => {
    if (v === undefined || v === null || v === '') return;
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = v;
    dl.append(dt, dd);
  };
  if (r.subject) {
    add('事项', KINDS[r.subject.kind] || r.subject.kind);
    add('编号', r.subject.id);
    add('签发机构', r.issuer_name ? `${r.issuer_name}（${r.subject.issuer}）` : r.subject.issuer);
  }
  if (r.anchored_time_ms) add('上链时间', `${beijing(r.anchored_time_ms)}（区块 ${r.anchored_height}）`);
  if (r.valid_from_ms !== null && r.valid_from_ms !== undefined) add('有效期', `${beijing(r.valid_from_ms, '不限')} 至 ${beijing(r.valid_until_ms)}`);
  if (r.status_time_ms) add('状态截至', `${beijing(r.status_time_ms)}（${r.status_proven ? '状态证明' : '签发时'}）`);
  if (r.record_id) add('记录编号', r.record_id);
  if (status === 'unknown' && r.message) add('技术信息', r.message);
  dl.style.display = dl.childElementCount ? '' : 'none';
  document.getElementById('trust').textContent =
    `本页在您的设备上离线核验，只信任联盟“${r.chain_id || CHAIN_ID}”的创世文件，不信任任何服务器。`;
}

const genesis = document.getElementById('genesis').textContent;
const CHAIN_ID = (() => { try { return JSON.parse(genesis).chain_id || ''; } catch (e) { return ''; } })();
await init();
// The validator-set changes learned from earlier bundles (docs/spec/bundle.md
// §6.1), kept on this device only.
const HISTORY = 'yinzheng-validator-history';
const kept = () => { try { return localStorage.getItem(HISTORY) || ''; } catch (e) { return ''; } };
const keep = (h) => { try { if (h) localStorage.setItem(HISTORY, h); } catch (e) { /* private mode */ } };
const check = () => {
  let r;
  try { r = JSON.parse(verify_fragment_remembering(genesis, kept(), location.hash, Date.now())); }
  catch (e) { r = { status: 'unknown', message: String(e) }; }
  if (r.history) keep(r.history);
  render(r);
};
window.addEventListener('hashchange', check);
check();
