// "Analyse a video" (after format.js): upload a recorded circuit, follow the analysis, show what the coach found.
// The server does the analysis (the same pipeline as `coach replay`); this page streams the file up, asks for
// progress twice a second, and shows the report and the annotated video it gets back.
"use strict";

const POLL_MS = 500;
const el = (id) => document.getElementById(id);
const A = { xhr: null, job: null };
window.__analyse = A; // test hook

function say(text) {
  el("status").textContent = text;
}

function fail(text) {
  el("error").textContent = text;
  say("");
  el("progress-box").hidden = true;
  el("file").disabled = false;
}

function upload(file) {
  el("error").textContent = "";
  el("result").hidden = true;
  el("file").disabled = true;
  el("progress-box").hidden = false;
  el("cancel").hidden = false;
  el("progress").value = 0;
  say(`Uploading ${file.name}…`);
  const xhr = new XMLHttpRequest();
  A.xhr = xhr;
  xhr.open("POST", `/api/videos?name=${encodeURIComponent(file.name)}`);
  xhr.upload.onprogress = (e) => {
    if (e.lengthComputable) el("progress").value = e.loaded / e.total;
  };
  xhr.onload = () => {
    A.xhr = null;
    el("cancel").hidden = true;
    let body = {};
    try { body = JSON.parse(xhr.responseText); } catch { /* an empty or non-JSON answer */ }
    if (xhr.status === 202) follow(body);
    else fail(body.detail || `The upload failed (HTTP ${xhr.status}).`);
  };
  xhr.onerror = () => { A.xhr = null; fail("The upload was cut off before the whole file arrived; try again."); };
  xhr.onabort = () => { A.xhr = null; fail("Upload cancelled; nothing was kept."); };
  xhr.send(file);
}

async function follow(job) {
  A.job = job;
  showProgress(job);
  while (job.state === "analysing" || job.state === "annotating") {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const answer = await fetch(`/api/videos/${job.job}`);
    if (!answer.ok) return fail("The server no longer has this video; upload it again.");
    job = await answer.json();
    A.job = job;
    showProgress(job);
  }
  if (job.state === "failed") return fail(job.error);
  el("progress-box").hidden = true;
  el("file").disabled = false;
  say(`${job.name}: analysed.`);
  showResult(job);
}

function showProgress(job) {
  const total = job.frames_total;
  const share = total ? job.frames_done / total : 0;
  const what = job.state === "annotating" ? "Writing the annotated video" : "Analysing";
  el("progress").value = job.state === "annotating" ? 0.8 + 0.2 * share : 0.8 * share;
  say(total ? `${what}: frame ${job.frames_done} of ${total}` : `${what}: frame ${job.frames_done}`);
}

function showResult(job) {
  const report = job.report;
  el("result").hidden = false;
  el("result-title").textContent = job.name;
  const person = report.frames ? Math.round((100 * report.frames_with_person) / report.frames) : 0;
  el("result-summary").textContent = `${report.frames} frames, ${clock(Math.round(report.duration_ms / 1000))}; `
    + `person found in ${person}% of them.`;
  el("result-warning").textContent = job.warning || "";
  el("result-video").src = job.video_url;
  el("report").href = `/api/videos/${job.job}/report.json`;
  el("saved").textContent = job.saved_session ? `Saved as session ${job.saved_session}.` : "";
  el("save").disabled = Boolean(job.saved_session);
  renderRows(report, job.titles);
  renderTimeline(report, job.titles);
  if (!Object.keys(report.moves).length) say(`${job.name}: no move of the circuit was recognised.`);
}

function renderRows(report, titles) {
  const rows = [];
  for (const [moveId, found] of Object.entries(report.moves)) {
    const sides = new Set([...Object.keys(found.reps), ...Object.keys(found.hold_s), ...Object.keys(found.rom)]);
    for (const side of sides) {
      const reps = found.reps[side] || 0;
      const hold = found.hold_s[side] || 0;
      const rom = found.rom[side] || [];
      if (!reps && !hold && !rom.length) continue; // a side the move never worked
      const tr = document.createElement("tr");
      Object.assign(tr.dataset, { testid: "result-row", move: moveId, side, reps, hold });
      for (const text of [titles[moveId] || moveId, side, reps, `${hold.toFixed(1)} s`, romRange(rom, found.rom_name)]) {
        tr.appendChild(Object.assign(document.createElement("td"), { textContent: text }));
      }
      rows.push(tr);
    }
  }
  el("rows").replaceChildren(...rows);
}

function renderTimeline(report, titles) {
  const total = Math.max(1, report.duration_ms);
  const pct = (ms) => `${((100 * ms) / total).toFixed(2)}%`;
  const bars = report.segments.map((s) => {
    const bar = document.createElement("div");
    bar.className = "segment";
    bar.style.left = pct(s.start_ms);
    bar.style.width = pct(Math.max(s.end_ms - s.start_ms, 1));
    bar.textContent = titles[s.move] || s.move;
    return bar;
  });
  const cues = Object.values(report.moves).flatMap((m) => m.cues).sort((a, b) => a.t_ms - b.t_ms);
  const marks = cues.map((c) => Object.assign(document.createElement("div"), { className: "mark", title: c.text,
    style: `left: ${pct(c.t_ms)}` }));
  el("timeline").replaceChildren(...bars, ...marks);
  el("cues").replaceChildren(...cues.map((c) => {
    const li = document.createElement("li");
    const jump = Object.assign(document.createElement("button"), { type: "button", className: "link",
      textContent: clock(Math.floor(c.t_ms / 1000)) });
    jump.addEventListener("click", () => { el("result-video").currentTime = c.t_ms / 1000; });
    li.append(jump, ` ${c.text}`);
    return li;
  }));
}

async function save() {
  el("save").disabled = true;
  const answer = await fetch(`/api/videos/${A.job.job}/save`, { method: "POST" });
  const body = await answer.json().catch(() => ({}));
  if (answer.ok) el("saved").textContent = `Saved as session ${body.session_id}.`;
  else {
    el("saved").textContent = body.detail || `Saving failed (HTTP ${answer.status}).`;
    el("save").disabled = false;
  }
}

el("file").addEventListener("change", () => { if (el("file").files.length) upload(el("file").files[0]); });
el("cancel").addEventListener("click", () => { if (A.xhr) A.xhr.abort(); });
el("save").addEventListener("click", save);
const drop = el("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  if (e.dataTransfer.files.length && !el("file").disabled) upload(e.dataTransfer.files[0]);
});
