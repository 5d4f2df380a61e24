// Stride Coach overlay (after format.js): one WebSocket to the local server; events in, controls (and browser-camera frames) out.
// The server decides everything (counts, timers, cues); this page only shows and speaks what it is told.
"use strict";

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
const view = document.getElementById("view");
const ctx = view.getContext("2d");
const video = document.getElementById("camera");
const grab = document.createElement("canvas");

const SPEAK_REPEAT_MS = 8000; // the same sentence is not spoken again within this time
const WARNING_SHOW_MS = 6000;
const CAMERA_JPEG_QUALITY = 0.8;
const CAMERA_AWAY = new Set(["camera_lost", "camera_frozen"]);
// Frames on their way at once: one being posed, one waiting on the server. With one, any frame slower than the
// camera's interval skipped the next camera frame (97 of 684 at a load average of 8, `coach bench latency`).
const CAMERA_MAX_IN_FLIGHT = 2;
const CLOSE_UNPAIRED = 4401; // coach/pairing/guard.py: a paired device revoked while connected

const S = {
  ws: null,
  hello: null,
  moves: {},
  edges: [],
  state: "idle",
  mode: "timed",
  moveId: null,
  side: null,
  reps: {},
  holdMs: {},
  setSeconds: 30,
  muted: false,
  source: "server",
  frameBitmap: null,
  lastPose: null,
  camera: { on: false, inFlight: 0, sentAt: 0 },
  warningTimer: 0,
  routines: [], // built-in ones first (hello.builtin_routines of them), then the person's own
  builtin: 0,
  routineName: "Full circuit", // of the session started last: the summary names it
  editing: [], // the editor's rows: every move, ticked ones in routine order first
};

// Test and debugging hooks: what was queued for speaking, and the latest numbers per move and side.
window.__spoken = [];
window.__softlySpoken = []; // the calm breath reminders among them
window.__coach = S;
window.__peak = {}; // move -> side -> {reps, hold_s}: the highest values shown during the session

// ---------- connection ----------

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/ws`);
  ws.binaryType = "blob";
  S.ws = ws;
  setConn("connecting");
  ws.onopen = () => setConn("open");
  ws.onclose = (event) => {
    if (event.code === CLOSE_UNPAIRED) {
      location.assign("/pair"); // this device was unpaired on the computer: offer the code form again
      return;
    }
    setConn("closed");
    stopCamera();
    setTimeout(connect, 1500);
  };
  ws.onmessage = (msg) => {
    if (typeof msg.data !== "string") {
      S.frameBitmap = createImageBitmap(msg.data);
      return;
    }
    const event = JSON.parse(msg.data);
    const handler = HANDLERS[event.type];
    if (handler) handler(event);
  };
}

function setConn(status) {
  const el = $("connection");
  el.dataset.status = status;
  el.textContent = { connecting: "connecting…", open: "connected", closed: "reconnecting…" }[status];
}

function send(control) {
  if (S.ws && S.ws.readyState === WebSocket.OPEN) S.ws.send(JSON.stringify(control));
}

// ---------- event handlers ----------

const HANDLERS = {
  hello(e) {
    S.hello = e;
    S.edges = e.skeleton_edges;
    e.moves.forEach((m) => { S.moves[m.move_id] = m; });
    fillSettings(e);
    fillRoutines(e);
    if (e.state === "idle" || e.state === "finished") openSheet("start-sheet");
  },
  round(e) {
    $("round").textContent = `Round ${e.round} / ${e.rounds}`;
  },
  move(e) {
    S.moveId = e.move.move_id;
    S.reps = {};
    S.holdMs = {};
    S.side = null;
    document.body.dataset.kind = e.move.kind;
    $("move-title").textContent = e.move.title;
    $("move-index").textContent = `Move ${e.index + 1} of ${e.moves_in_routine}`;
    $("setup-index").textContent = ` · move ${e.index + 1} of ${e.moves_in_routine}`;
    $("round").textContent = `Round ${e.round} / ${e.rounds}`;
    $("setup-tip").textContent = e.move.setup_tip;
    showDemo($("setup-demo"), e.move.move_id);
    $("setup-side-on").hidden = !/side[- ]on/i.test(e.move.setup_tip);
    renderCounts();
  },
  state(e) {
    S.state = e.state;
    S.mode = e.mode;
    document.body.dataset.state = e.state;
    if (e.side) S.side = e.side;
    if (e.move_id === S.moveId) {
      Object.assign(S.reps, e.reps);
      Object.assign(S.holdMs, e.hold_ms);
    }
    if (e.state !== "finished") closeSheet("start-sheet"); // a session is running (started here or elsewhere)
    $("paused-badge").hidden = e.state !== "paused";
    $("pause-button").textContent = e.state === "paused" ? "Resume" : "Pause";
    $("setup-help").hidden = e.state !== "get_ready";
    const info = S.moves[e.move_id];
    $("setup-side").textContent = e.state === "get_ready" && info && info.one_sided && e.side ? `: ${e.side} side` : "";
    if (e.time_left_ms !== null) {
      const secs = Math.ceil(e.time_left_ms / 1000);
      $("time-label").textContent = e.state === "get_ready" ? "Get ready" : "Set";
      $("time-left").textContent = clock(secs);
      $("setup-count").textContent = e.state === "get_ready" ? `Starting in ${secs} s` : "";
    } else {
      $("time-label").textContent = e.move_id ? "On this move" : "Waiting for a move";
      $("time-left").textContent = e.move_id ? clock(Math.floor(e.elapsed_ms / 1000)) : "--";
    }
    if (!e.move_id && e.mode === "follow") $("move-title").textContent = "Start any move of the circuit";
    renderCounts();
  },
  rep(e) {
    if (e.move_id !== S.moveId) return;
    S.reps[e.side] = e.count;
    S.side = e.side;
    renderCounts();
    speak(String(e.count), { skipIfBusy: true });
  },
  hold(e) {
    if (e.move_id !== S.moveId) return;
    S.holdMs[e.side] = e.hold_ms;
    S.side = e.side;
    document.body.dataset.holding = String(e.holding);
    renderCounts();
  },
  cue(e) {
    // the get-ready line is spoken in full; on screen the set-up help already shows the tip
    const info = S.moves[e.move_id];
    $("cue").textContent = e.cue_id === "get_ready" && info ? `Next: ${info.title}` : e.text;
    speak(e.text, { soft: e.calm });
  },
  side(e) {
    S.side = e.side;
    $("cue").textContent = e.text;
    speak(e.text);
    renderCounts();
  },
  warning(e) {
    // a camera that is away stays on screen until it is back (the set is paused meanwhile)
    showWarning(e.text, { untilCleared: CAMERA_AWAY.has(e.warning_id) });
    speak(e.text);
  },
  error(e) {
    console.warn("coach:", e.code, e.message);
    showWarning(e.message);
  },
  summary(e) {
    stopCamera();
    renderSummary(e);
    openSheet("summary-sheet");
  },
  pose(e) {
    S.lastPose = e;
    const form = $("form-status");
    const ok = e.points.length === 0 || e.form_ok;
    if (form.dataset.ok !== String(ok)) {
      form.dataset.ok = String(ok);
      form.textContent = ok ? "Form looks good" : "Check your form";
    }
    if (S.camera.on) {
      S.camera.inFlight = Math.max(0, S.camera.inFlight - 1);
      return; // the camera loop draws the local video with the latest pose
    }
    const bitmap = S.frameBitmap;
    if (!bitmap) return draw(null, e);
    bitmap.then((img) => draw(img, e)).catch(() => draw(null, e));
  },
};

function showWarning(text, { untilCleared = false } = {}) {
  $("warning").textContent = text;
  clearTimeout(S.warningTimer);
  if (!untilCleared) S.warningTimer = setTimeout(() => { $("warning").textContent = ""; }, WARNING_SHOW_MS);
}

function renderCounts() {
  const reps = S.reps;
  const hold = S.holdMs;
  const side = S.side && S.side in reps ? S.side : Object.keys(reps)[0];
  const holdSide = S.side && S.side in hold ? S.side : Object.keys(hold)[0];
  $("rep-count").textContent = side ? reps[side] : 0;
  const holdS = holdSide ? Math.floor(hold[holdSide] / 1000) : 0;
  $("hold-seconds").textContent = holdS;
  for (const key of ["left", "right", "both"]) {
    $(`reps-${key}`).textContent = reps[key] || 0;
    $(`hold-${key}`).textContent = Math.floor((hold[key] || 0) / 1000);
  }
  const info = S.moves[S.moveId];
  $("side").textContent = info && info.one_sided && S.side ? `${S.side} side` : "";
  const ringFull = S.hello ? S.hello.settings.seconds : 30;
  $("hold-ring").style.strokeDashoffset = String(326.7 * (1 - Math.min(1, (holdS % (ringFull + 1)) / ringFull)));
  if (S.moveId) {
    const peak = (window.__peak[S.moveId] ||= {});
    for (const key of new Set([...Object.keys(reps), ...Object.keys(hold)])) {
      const p = (peak[key] ||= { reps: 0, hold_s: 0 });
      p.reps = Math.max(p.reps, reps[key] || 0);
      p.hold_s = Math.max(p.hold_s, Math.floor((hold[key] || 0) / 1000));
    }
  }
}

// ---------- drawing ----------

function draw(image, pose) {
  const [w, h] = pose.image_size;
  if (view.width !== w || view.height !== h) {
    view.width = w;
    view.height = h;
  }
  if (image) ctx.drawImage(image, 0, 0, w, h);
  else if (S.camera.on) ctx.drawImage(video, 0, 0, w, h);
  else {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, w, h);
  }
  drawSkeleton(pose, w, h);
}

function drawSkeleton(pose, w, h) {
  if (!pose || !pose.points.length) return;
  const scale = w / 640;
  const colour = (i) => {
    const status = pose.joint_status[i];
    return status === "attention" ? "#ff6b4a" : status === "good" ? "#38e08a" : "#e8eef5";
  };
  ctx.lineCap = "round";
  ctx.lineWidth = 6 * scale;
  for (const [a, b] of S.edges) {
    const pa = pose.points[a];
    const pb = pose.points[b];
    if (!pa || !pb) continue;
    const bad = pose.joint_status[a] === "attention" || pose.joint_status[b] === "attention";
    ctx.strokeStyle = bad ? "#ff6b4a" : "rgba(232, 238, 245, 0.9)";
    ctx.beginPath();
    ctx.moveTo(pa[0] * w, pa[1] * h);
    ctx.lineTo(pb[0] * w, pb[1] * h);
    ctx.stroke();
  }
  const joints = new Set(S.edges.flat());
  for (const i of joints) {
    const p = pose.points[i];
    if (!p) continue;
    ctx.fillStyle = colour(i);
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 2 * scale;
    ctx.beginPath();
    ctx.arc(p[0] * w, p[1] * h, 8 * scale, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
}

// ---------- move demos ----------

const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

function showDemo(videoEl, moveId) {
  // a muted loop of the move (web/demos/, cut by scripts/make_demos.py); with reduced motion it waits for a click
  const src = `demos/${moveId}.mp4`;
  if (!videoEl.src.endsWith(src)) videoEl.src = src;
  videoEl.controls = reducedMotion.matches;
  if (!reducedMotion.matches) videoEl.play().catch(() => { /* autoplay refused: the first frame still shows */ });
}

// ---------- voice ----------

const lastSpokenAt = {};

function speak(text, { skipIfBusy = false, soft = false } = {}) {
  if (S.muted || !text) return;
  const now = performance.now();
  if (lastSpokenAt[text] !== undefined && now - lastSpokenAt[text] < SPEAK_REPEAT_MS) return;
  const synth = window.speechSynthesis;
  if (skipIfBusy && synth && synth.speaking) return;
  lastSpokenAt[text] = now;
  window.__spoken.push(text);
  if (soft) window.__softlySpoken.push(text);
  if (!synth) return;
  const utterance = new SpeechSynthesisUtterance(text);
  if (soft) Object.assign(utterance, { volume: 0.5, rate: 0.85 }); // a breath reminder: quiet and unhurried
  synth.speak(utterance);
}

function toggleMute() {
  S.muted = !S.muted;
  document.body.dataset.muted = String(S.muted);
  $("mute-button").textContent = S.muted ? "Voice off" : "Voice on";
  if (S.muted && window.speechSynthesis) window.speechSynthesis.cancel();
}

// ---------- browser camera ----------

async function startCamera() {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  video.srcObject = stream;
  video.hidden = true;
  await video.play();
  S.camera = { on: true, inFlight: 0, sentAt: 0 };
  nextCameraFrame();
}

function nextCameraFrame() {
  if (!S.camera.on) return;
  if ("requestVideoFrameCallback" in video) video.requestVideoFrameCallback(cameraTick);
  else requestAnimationFrame(cameraTick);
}

function cameraTick() {
  if (!S.camera.on) return;
  const now = performance.now();
  if (S.camera.inFlight > 0 && now - S.camera.sentAt > 1000) S.camera.inFlight = 0; // a dropped frame
  const w = video.videoWidth;
  const h = video.videoHeight;
  if (w && h) {
    draw(null, S.lastPose ? { ...S.lastPose, image_size: [w, h] } : { image_size: [w, h], points: [] });
    if (S.camera.inFlight < CAMERA_MAX_IN_FLIGHT && S.ws && S.ws.readyState === WebSocket.OPEN) {
      grab.width = w;
      grab.height = h;
      grab.getContext("2d").drawImage(video, 0, 0, w, h);
      S.camera.inFlight += 1;
      S.camera.sentAt = now;
      grab.toBlob((jpeg) => {
        if (!jpeg || !S.camera.on) return;
        const header = new ArrayBuffer(8);
        new DataView(header).setFloat64(0, now, true);
        S.ws.send(new Blob([header, jpeg]));
      }, "image/jpeg", CAMERA_JPEG_QUALITY);
    }
  }
  nextCameraFrame();
}

function stopCamera() {
  S.camera.on = false;
  const stream = video.srcObject;
  if (stream) stream.getTracks().forEach((t) => t.stop());
  video.srcObject = null;
}

// ---------- settings, start, summary ----------

function fillSettings(hello) {
  const form = document.getElementById("settings");
  const s = hello.settings;
  form.rounds.value = String(s.rounds);
  form.seconds.value = String(s.seconds);
  form.per_side.checked = s.per_side;
  form.mode.value = s.mode;
  form.day.value = hello.day || ""; // the last choice (the server keeps it in the history)
  const hasServerSource = hello.source !== "none";
  $("source-server").disabled = !hasServerSource;
  $("server-source-name").textContent = hasServerSource
    ? `Server: ${hello.source === "file" ? "video " : ""}${hello.source_name}`
    : "Server: no camera found";
  if (!hasServerSource) form.source.value = "browser";
  $("source-note").textContent = hello.source_note;
  for (const list of [$("tips"), $("summary-tips")]) {
    list.replaceChildren(...hello.tips.map((tip) => Object.assign(document.createElement("li"), { textContent: tip })));
  }
}

async function startSession(event) {
  event.preventDefault();
  const form = document.getElementById("settings");
  const routine = routineFromForm();
  if (!routine.moves.length) {
    routineStatus("Tick at least one move to start.", true);
    return;
  }
  const { name, moves, ...settings } = routine;
  S.source = form.source.value;
  S.routineName = name;
  if (S.hello) S.hello.settings = settings;
  closeSheet("start-sheet");
  window.__peak = {};
  if (S.source === "browser") {
    try {
      await startCamera();
    } catch (err) {
      showWarning(`The camera could not be opened: ${err.message}`);
      openSheet("start-sheet");
      return;
    }
  }
  send({ type: "start", source: S.source, routine, day: form.day.value || null });
}

// ---------- routines: pick one, edit its moves and order, save it ----------

function fillRoutines(hello) {
  S.routines = hello.routines;
  S.builtin = hello.builtin_routines;
  S.routineName = hello.routine;
  renderRoutinePicker(hello.routine);
}

function renderRoutinePicker(selected) {
  const select = $("routine-select");
  select.replaceChildren(...S.routines.map((r, i) => Object.assign(document.createElement("option"), {
    value: r.name, textContent: i < S.builtin ? r.name : `${r.name} (yours)`,
  })));
  select.value = S.routines.some((r) => r.name === selected) ? selected : S.routines[0].name;
  applyRoutine(selectedRoutine());
}

function selectedRoutine() {
  return S.routines.find((r) => r.name === $("routine-select").value) || S.routines[0];
}

function applyRoutine(routine) {
  const form = document.getElementById("settings");
  form.rounds.value = String(routine.rounds);
  if (![...form.seconds.options].some((o) => o.value === String(routine.seconds))) {
    form.seconds.add(new Option(String(routine.seconds))); // a routine file may hold any 30-60
  }
  form.seconds.value = String(routine.seconds);
  form.per_side.checked = routine.per_side;
  form.mode.value = routine.mode;
  const others = Object.keys(S.moves).filter((id) => !routine.moves.includes(id));
  S.editing = [...routine.moves.map((id) => ({ id, on: true })), ...others.map((id) => ({ id, on: false }))];
  const builtin = S.routines.indexOf(routine) < S.builtin;
  $("routine-name").value = builtin ? "" : routine.name;
  $("delete-routine").disabled = builtin;
  routineStatus("");
  renderEditor();
}

function renderEditor(focus = null) {
  const list = $("editor-moves");
  list.replaceChildren(...S.editing.map(editorRow));
  renderMovesLine();
  if (!focus) return;
  // keep the keyboard where it was: on the same button of the move just moved (or its other one at an end)
  const row = list.querySelector(`[data-move="${focus.id}"]`);
  const same = row.querySelector(`[data-dir="${focus.dir}"]`);
  (same.disabled ? row.querySelector("button:not([disabled])") : same).focus();
}

function editorRow(move, i) {
  const title = S.moves[move.id].title;
  const li = document.createElement("li");
  Object.assign(li.dataset, { move: move.id, on: String(move.on), testid: "editor-move" });
  const box = Object.assign(document.createElement("input"), { type: "checkbox", checked: move.on });
  box.dataset.testid = `tick-${move.id}`;
  box.addEventListener("change", () => {
    move.on = box.checked;
    li.dataset.on = String(move.on);
    renderMovesLine();
  });
  const label = document.createElement("label");
  label.append(box, title);
  li.append(label, orderButton(move, i, -1, `Move ${title} up`), orderButton(move, i, 1, `Move ${title} down`));
  return li;
}

function orderButton(move, i, step, label) {
  const dir = step < 0 ? "up" : "down";
  const button = Object.assign(document.createElement("button"), { type: "button", title: label,
    textContent: step < 0 ? "↑" : "↓", disabled: i + step < 0 || i + step >= S.editing.length });
  button.setAttribute("aria-label", label);
  Object.assign(button.dataset, { dir, testid: `${dir}-${move.id}` });
  button.addEventListener("click", () => {
    [S.editing[i], S.editing[i + step]] = [S.editing[i + step], S.editing[i]];
    renderEditor({ id: move.id, dir });
  });
  return button;
}

function renderMovesLine() {
  // the sheet's first-move demo and move list follow the routine as ticked and ordered
  const ticked = S.editing.filter((m) => m.on).map((m) => S.moves[m.id]);
  $("routine-moves").textContent = `${ticked.length} ${ticked.length === 1 ? "move" : "moves"}`;
  $("circuit-list").replaceChildren(...ticked.map((m) => Object.assign(document.createElement("li"),
    { textContent: m.title })));
  const first = ticked[0];
  $("first-title").textContent = first ? `First up: ${first.title}` : "Tick at least one move";
  $("first-tip").textContent = first ? first.setup_tip : "";
  if (first) showDemo($("sheet-demo"), first.move_id);
}

function routineFromForm() {
  // the chosen routine as edited here; changed moves that were not saved run as "<name> (edited)"
  const form = document.getElementById("settings");
  const base = selectedRoutine();
  const moves = S.editing.filter((m) => m.on).map((m) => m.id);
  const name = moves.join() === base.moves.join() ? base.name : `${base.name} (edited)`.slice(0, 40);
  return { name, moves, rounds: Number(form.rounds.value), seconds: Number(form.seconds.value),
    per_side: form.per_side.checked, mode: form.mode.value };
}

function routineStatus(text, problem = false) {
  const status = $("routine-status");
  status.textContent = text;
  status.dataset.problem = String(problem);
  if (problem) $("routine-editor").hidden = false;
  $("edit-routine").setAttribute("aria-expanded", String(!$("routine-editor").hidden));
}

async function routinesRequest(path, options) {
  const response = await fetch(path, options);
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail || `The server answered ${response.status}.`);
  return body;
}

async function saveRoutine() {
  const name = $("routine-name").value.trim();
  if (!name) return routineStatus("Give the routine a name first.", true);
  try {
    const { routine } = await routinesRequest("/api/routines", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...routineFromForm(), name }),
    });
    const key = routine.name.toLowerCase();
    S.routines = [...S.routines.filter((r, i) => i < S.builtin || r.name.toLowerCase() !== key), routine];
    renderRoutinePicker(routine.name);
    routineStatus(`Saved “${routine.name}”.`);
  } catch (err) {
    routineStatus(err.message, true);
  }
}

async function deleteRoutine() {
  const { name } = selectedRoutine();
  try {
    await routinesRequest(`/api/routines/${encodeURIComponent(name)}`, { method: "DELETE" });
    S.routines = S.routines.filter((r) => r.name !== name);
    renderRoutinePicker(S.routines[0].name);
    routineStatus(`Deleted “${name}”.`);
  } catch (err) {
    routineStatus(err.message, true);
  }
}

function toggleEditor() {
  const editor = $("routine-editor");
  editor.hidden = !editor.hidden;
  $("edit-routine").setAttribute("aria-expanded", String(!editor.hidden));
}

function renderSummary(e) {
  const count = e.moves.length;
  const moves = `${count} ${count === 1 ? "move" : "moves"}`;
  $("summary-duration").textContent = `${S.routineName}: ${moves} in ${clock(Math.round(e.duration_s))}`;
  const rows = [];
  for (const move of e.moves) {
    for (const [side, s] of Object.entries(move.sides)) {
      if (!s.reps && !s.hold_s && !s.rom.length) continue; // a side the move never worked
      const tr = document.createElement("tr");
      tr.dataset.testid = "summary-row";
      Object.assign(tr.dataset, { move: move.move_id, side, reps: s.reps, hold: s.hold_s });
      const range = romRange(s.rom, move.rom_name);
      const good = move.active_s ? `${Math.round((100 * move.good_form_s) / move.active_s)}%` : "–";
      for (const text of [move.title, side, s.reps, `${s.hold_s.toFixed(1)} s`, range, good]) {
        tr.appendChild(Object.assign(document.createElement("td"), { textContent: text }));
      }
      rows.push(tr);
    }
  }
  $("summary-rows").replaceChildren(...rows);
}

function openSheet(id) {
  const sheet = document.getElementById(id);
  if (!sheet.open) sheet.showModal();
}

function closeSheet(id) {
  const sheet = document.getElementById(id);
  if (sheet.open) sheet.close();
}

function togglePause() {
  if (S.state === "paused") send({ type: "resume" });
  else if (S.state === "active" || S.state === "get_ready") send({ type: "pause" });
}

document.getElementById("settings").addEventListener("submit", startSession);
document.getElementById("pause").addEventListener("click", togglePause);
document.getElementById("next").addEventListener("click", () => send({ type: "skip" }));
document.getElementById("mute").addEventListener("click", toggleMute);
document.getElementById("stop").addEventListener("click", () => send({ type: "stop" }));
document.getElementById("again").addEventListener("click", () => openSheet("start-sheet"));
$("routine-select").addEventListener("change", () => applyRoutine(selectedRoutine()));
$("edit-routine").addEventListener("click", toggleEditor);
$("save-routine").addEventListener("click", saveRoutine);
$("delete-routine").addEventListener("click", deleteRoutine);
$("routine-name").addEventListener("keydown", (event) => {
  if (event.key !== "Enter") return;
  event.preventDefault(); // Enter in the name saves the routine rather than starting the session
  saveRoutine();
});
document.addEventListener("keydown", (event) => {
  if (document.querySelector("dialog[open]") || event.target.closest("input, select")) return;
  if (event.key === " ") {
    event.preventDefault();
    togglePause();
  } else if (event.key === "n") send({ type: "skip" });
  else if (event.key === "m") toggleMute();
});

connect();
