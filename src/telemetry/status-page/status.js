// The status page: polls /api/status and redraws. Plain browser JavaScript, no
// build step and nothing loaded from elsewhere, so it works on a plant network
// without internet. Text from the gateway is only ever set as textContent.

const SHELVE_MS = 60 * 60 * 1000;
let refreshMs = 2000;
let actionsEnabled = false;

const $ = (id) => document.getElementById(id);

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function age(seconds) {
  if (seconds === undefined) return '—';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86400)} d`;
}

function since(iso) {
  if (!iso) return 'never';
  return `${new Date(iso).toLocaleTimeString()} (${age(Math.round((Date.now() - Date.parse(iso)) / 1000))} ago)`;
}

function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function badge(element, text, ok) {
  element.textContent = text;
  element.className = `badge ${ok ? 'ok' : 'bad'}`;
}

function flagsOf(flags) {
  const shown = [];
  shown.push(flags.active ? ['active', 'active'] : ['cleared', '']);
  if (!flags.acked) shown.push(['unacknowledged', 'unacked']);
  if (flags.shelved) shown.push(['shelved', '']);
  if (flags.suppressed) shown.push(['suppressed', '']);
  if (flags.out_of_service) shown.push(['out of service', '']);
  if (flags.latched) shown.push(['latched', '']);
  if (flags.level) shown.push([flags.level, '']);
  return shown;
}

function drawAlarms(status) {
  const body = $('alarms').tBodies[0];
  body.replaceChildren();
  for (const alarm of status.alarms) {
    const row = body.insertRow();
    row.dataset.conditionId = alarm.condition_id;
    cell(row, alarm.priority, `priority ${alarm.priority}`);
    const name = cell(row, `${alarm.asset} ${alarm.point} ${alarm.alarm}`);
    name.title = alarm.condition_id;
    cell(row, alarm.device);
    const state = row.insertCell();
    for (const [text, className] of flagsOf(alarm.flags)) {
      const flag = document.createElement('span');
      flag.className = `flag ${className}`;
      flag.textContent = text;
      state.append(flag);
    }
    cell(row, age(alarm.age_s));
    const actions = row.insertCell();
    actions.className = 'actions';
    actions.hidden = !actionsEnabled;
    if (actionsEnabled) {
      if (!alarm.flags.acked) actions.append(actionButton('Acknowledge', { action: 'ack' }, alarm));
      actions.append(
        alarm.flags.shelved
          ? actionButton('Unshelve', { action: 'unshelve' }, alarm)
          : actionButton('Shelve 1 h', { action: 'shelve', duration_ms: SHELVE_MS }, alarm),
      );
    }
  }
  $('no-alarms').hidden = status.alarms.length > 0;
  const counts = Object.entries(status.active_by_priority)
    .filter(([, n]) => n > 0)
    .map(([priority, n]) => `${n} ${priority}`);
  $('alarm-counts').textContent = counts.length ? `active: ${counts.join(', ')}` : 'none active';
}

function drawDevices(status) {
  const body = $('devices').tBodies[0];
  body.replaceChildren();
  for (const device of status.devices) {
    const row = body.insertRow();
    row.dataset.device = device.id;
    row.className = device.up ? 'up' : 'down';
    cell(row, device.id, 'nowrap');
    cell(row, device.up ? 'connected' : device.lost ? 'lost' : 'connecting', 'connection nowrap');
    cell(row, since(device.last_good_read_at));
    cell(row, `${device.points.good} / ${device.points.uncertain} / ${device.points.bad}`);
    cell(row, device.last_error ?? '');
  }
}

function drawBuffer(status) {
  const { buffer, broker } = status;
  $('buffer-events').textContent = String(buffer.events);
  $('buffer-bytes').textContent = bytes(buffer.bytes);
  $('buffer-oldest').textContent = buffer.oldest_at ? `${age(buffer.oldest_age_s)} old` : 'none waiting';
  $('buffer-dead').textContent = String(buffer.dead_letters);
  $('buffer-dropped').textContent = String(buffer.dropped);
  $('buffer-writable').textContent = buffer.writable ? 'yes' : `no: ${buffer.problem}`;
  badge($('broker'), broker.up ? 'broker connected' : 'broker unreachable: buffering', broker.up);
}

function draw(status) {
  refreshMs = status.refresh_ms;
  actionsEnabled = status.actions_enabled;
  $('gateway').textContent = status.gateway_id;
  $('site').textContent = `site ${status.site}`;
  document.title = `${status.gateway_id}: gateway status`;
  badge($('ready'), status.ready ? 'ready' : 'not ready', status.ready);
  $('updated').textContent = `updated ${new Date(status.generated_at).toLocaleTimeString()}`;
  $('refresh').textContent = String(refreshMs / 1000);
  $('operator').hidden = !actionsEnabled;
  $('mode').textContent = actionsEnabled
    ? 'Operator actions enabled (token required)'
    : 'Read-only view of this gateway';
  document.querySelector('th.actions').hidden = !actionsEnabled;
  drawAlarms(status);
  drawDevices(status);
  drawBuffer(status);
}

async function refresh() {
  try {
    const response = await fetch('api/status', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    draw(await response.json());
  } catch (error) {
    $('updated').textContent = `no answer from the gateway (${error.message}); showing the last known state`;
    $('ready').className = 'badge bad';
  } finally {
    setTimeout(refresh, refreshMs);
  }
}

// The token stays in this tab only (sessionStorage) and travels in a header, never a cookie.
function operator() {
  return { actor: sessionStorage.getItem('actor'), token: sessionStorage.getItem('token') };
}

function showOperator() {
  const { actor, token } = operator();
  $('operator-state').textContent = actor && token ? `acting as ${actor}` : 'enter name and token to act';
}

// randomUUID exists only in secure contexts (https or localhost); a page served on the plant network over http has getRandomValues.
function commandId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function actionButton(label, command, alarm) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = label;
  button.addEventListener('click', () => submit({ ...command, condition_id: alarm.condition_id }));
  return button;
}

async function submit(command) {
  const { actor, token } = operator();
  const result = $('action-result');
  if (!actor || !token) {
    result.textContent = 'Enter your name and the operator token first.';
    return;
  }
  const response = await fetch('api/commands', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ ...command, actor, command_id: commandId() }),
  });
  const answer = await response.json().catch(() => ({}));
  result.textContent = answer.accepted
    ? `${command.action} of ${command.condition_id}: done`
    : `${command.action} of ${command.condition_id} refused: ${answer.reason ?? answer.error ?? response.status}`;
  await refreshOnce();
}

async function refreshOnce() {
  const response = await fetch('api/status', { cache: 'no-store' });
  if (response.ok) draw(await response.json());
}

$('sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem('actor', $('actor').value.trim());
  sessionStorage.setItem('token', $('token').value);
  $('token').value = '';
  showOperator();
});

showOperator();
refresh();
