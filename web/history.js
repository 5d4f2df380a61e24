// History page: fetches /api/history/* and draws the calendar, balance bars and ROM trends as plain SVG.
// All numbers come from the server (coach/history/insights.py); this file only lays them out.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const SIDES = ["left", "right", "both"];
const WEEKDAYS = ["Mon", "", "Wed", "", "Fri", "", "Sun"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const NOTE_CHOICES = [["after-run", "After run"], ["rest-day", "Rest day"]];

// The page's own ?today=, ?since= and ?routine= are passed on, so a fixed "today" gives a reproducible page.
const pageParams = new URLSearchParams(window.location.search);

function apiQuery(names) {
  const q = new URLSearchParams();
  for (const name of names) {
    if (pageParams.get(name)) q.set(name, pageParams.get(name));
  }
  const text = q.toString();
  return text ? `?${text}` : "";
}

function svgEl(tag, attrs, parent) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  if (parent) parent.appendChild(node);
  return node;
}

function svgText(text, attrs, parent) {
  const node = svgEl("text", attrs, parent);
  node.textContent = text;
  return node;
}

function htmlEl(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function parseDay(iso) {
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

function shortDate(iso) {
  const day = parseDay(iso);
  return `${day.getUTCDate()} ${MONTHS[day.getUTCMonth()]}`;
}

function seconds(ms) {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

function romLabel(name) {
  if (!name) return "range of motion";
  const units = { deg: "°", pct: "%", cm: "cm" };
  const parts = name.split("_");
  const unit = units[parts[parts.length - 1]];
  const words = (unit ? parts.slice(0, -1) : parts).join(" ");
  return unit ? `${words} (${unit})` : words;
}

async function getJSON(url, options) {
  const response = await fetch(url, options);
  if (!response.ok) {
    let detail = `The history could not be loaded (${response.status}).`;
    try {
      const body = await response.json();
      if (body.detail) detail = String(body.detail);
    } catch (_) {
      // keep the generic sentence
    }
    throw new Error(detail);
  }
  return response.json();
}

// ---- rhythm: streak numbers and an 8-week calendar (weeks as columns, Monday on top) ----

function renderRhythm(cal) {
  document.getElementById("streak").textContent = cal.streak_days;
  document.getElementById("week").textContent = cal.sessions_last_7_days;
  document.getElementById("longest").textContent = cal.longest_streak_days;

  const cell = 30;
  const gap = 6;
  const left = 40;
  const top = 22;
  const weeks = cal.days.length / 7;
  const root = document.getElementById("calendar");
  root.replaceChildren();
  root.setAttribute("viewBox", `0 0 ${left + weeks * (cell + gap)} ${top + 7 * (cell + gap)}`);
  WEEKDAYS.forEach((name, row) => {
    if (name) svgText(name, { x: 0, y: top + row * (cell + gap) + cell * 0.68 }, root);
  });
  let lastMonth = -1;
  cal.days.forEach((day, i) => {
    const week = Math.floor(i / 7);
    const row = i % 7;
    const x = left + week * (cell + gap);
    const y = top + row * (cell + gap);
    const date = parseDay(day.date);
    if (row === 0 && date.getUTCMonth() !== lastMonth) {
      lastMonth = date.getUTCMonth();
      svgText(MONTHS[lastMonth], { x, y: 13 }, root);
    }
    let kind = "";
    if (day.future) kind = "future";
    else if (day.sessions) kind = day.notes.includes("after-run") ? "after-run" : day.notes.includes("rest-day") ? "rest-day" : "other";
    const rect = svgEl("rect", { x, y, width: cell, height: cell, rx: 6, class: `day ${kind}`.trim(), "data-date": day.date }, root);
    if (day.date === cal.today) rect.classList.add("today");
    const title = svgEl("title", {}, rect);
    title.textContent = `${shortDate(day.date)}: ${day.sessions ? `${day.sessions} session(s) ${day.notes.join(", ")}` : "no session"}`;
  });
}

function renderNotes(notes) {
  const list = document.getElementById("notes");
  list.replaceChildren(...notes.map((note) => htmlEl("li", { class: note.kind }, note.text)));
}

// ---- left vs right: one mirrored bar pair per move and metric, scaled to that row's larger side ----

function balanceBar(leftValue, rightValue) {
  const width = 600;
  const mid = width / 2;
  const larger = Math.max(leftValue, rightValue) || 1;
  const root = svgEl("svg", { viewBox: `0 0 ${width} 26`, preserveAspectRatio: "none", "aria-hidden": "true" });
  svgEl("rect", { x: 0, y: 2, width, height: 22, rx: 4, class: "track" }, root);
  const lw = (mid * leftValue) / larger;
  const rw = (mid * rightValue) / larger;
  svgEl("rect", { x: mid - lw, y: 2, width: lw, height: 22, rx: 4, class: "bar left", "data-value": leftValue }, root);
  svgEl("rect", { x: mid, y: 2, width: rw, height: 22, rx: 4, class: "bar right", "data-value": rightValue }, root);
  svgEl("line", { x1: mid, x2: mid, y1: 0, y2: 26, class: "axis" }, root);
  return root;
}

function renderBalance(summary) {
  document.getElementById("balance-span").textContent = `since ${shortDate(summary.balance_since)}`;
  const box = document.getElementById("balance");
  box.replaceChildren();
  const metrics = [
    ["reps", "reps", "reps_diff_pct", (v) => `${v}`],
    ["hold_s", "hold", "hold_diff_pct", (v) => `${Math.round(v)} s`],
  ];
  for (const move of summary.balance) {
    for (const [key, label, diffKey, format] of metrics) {
      const values = move[key];
      if (!values.left && !values.right) continue;
      const row = htmlEl("div", { class: "balance-row", "data-move": move.move_id, "data-metric": key });
      if (move[diffKey] >= summary.imbalance_pct) row.classList.add("uneven");
      const title = htmlEl("div", { class: "title" }, summary.titles[move.move_id] || move.move_id);
      title.appendChild(htmlEl("span", { class: "metric" }, label));
      row.setAttribute("aria-label", `${title.textContent}: left ${format(values.left)}, right ${format(values.right)}`);
      row.append(
        title,
        htmlEl("span", { class: "value left" }, format(values.left)),
        balanceBar(values.left, values.right),
        htmlEl("span", { class: "value right" }, format(values.right)),
      );
      box.appendChild(row);
    }
  }
  if (!box.children.length) box.appendChild(htmlEl("p", { class: "empty" }, "No one-sided work recorded in this period yet."));
}

// ---- ROM trends: one small line chart per move, time on x (shared window), ROM figure on y ----

function trendChart(trend, since, today) {
  const w = 340;
  const h = 160;
  const pad = { l: 34, r: 10, t: 10, b: 24 };
  const t0 = parseDay(since).getTime();
  const t1 = Math.max(parseDay(today).getTime(), t0 + 86400000);
  const values = SIDES.flatMap((side) => (trend.series[side] || []).map((p) => p.value));
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const margin = Math.max((hi - lo) * 0.15, 2);
  lo = Math.floor(lo - margin);
  hi = Math.ceil(hi + margin);
  const x = (iso) => pad.l + ((parseDay(iso).getTime() - t0) / (t1 - t0)) * (w - pad.l - pad.r);
  const y = (v) => pad.t + (1 - (v - lo) / (hi - lo)) * (h - pad.t - pad.b);

  const root = svgEl("svg", { viewBox: `0 0 ${w} ${h}`, role: "img" });
  root.setAttribute("aria-label", `${romLabel(trend.rom_name)} over time`);
  for (const v of [lo, (lo + hi) / 2, hi]) {
    svgEl("line", { x1: pad.l, x2: w - pad.r, y1: y(v), y2: y(v), class: "grid" }, root);
    svgText(String(Math.round(v)), { x: pad.l - 6, y: y(v) + 4, "text-anchor": "end" }, root);
  }
  svgText(shortDate(since), { x: pad.l, y: h - 6 }, root);
  svgText(shortDate(today), { x: w - pad.r, y: h - 6, "text-anchor": "end" }, root);
  for (const side of SIDES) {
    const points = trend.series[side] || [];
    if (!points.length) continue;
    const path = points.map((p) => `${x(p.date).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
    svgEl("polyline", { points: path, class: `series ${side}`, "data-side": side, "data-points": points.length }, root);
    const last = points[points.length - 1];
    svgEl("circle", { cx: x(last.date), cy: y(last.value), r: 4.5, class: `dot ${side}` }, root);
  }
  return root;
}

function renderTrends(summary) {
  document.getElementById("trend-span").textContent = `since ${shortDate(summary.trend_since)}`;
  const box = document.getElementById("trends");
  box.replaceChildren();
  for (const trend of summary.rom_trend) {
    const card = htmlEl("figure", { class: "trend", "data-move": trend.move_id });
    const head = htmlEl("h3", {}, summary.titles[trend.move_id] || trend.move_id);
    card.append(head, htmlEl("div", { class: "unit" }, romLabel(trend.rom_name)));
    card.appendChild(trendChart(trend, summary.trend_since, summary.today));
    box.appendChild(card);
  }
  if (!box.children.length) box.appendChild(htmlEl("p", { class: "empty" }, "No range-of-motion figures in this period yet."));
}

// ---- sessions table, with after-run / rest-day tags that can be set afterwards ----

function sessionRow(s) {
  const tr = htmlEl("tr", { "data-session": s.id });
  const day = parseDay(s.started_at);
  const when = `${["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][day.getUTCDay()]} ${shortDate(s.started_at)} ${s.started_at.slice(11, 16)}`;
  const dateCell = htmlEl("td", {}, when);
  if (!s.ended_at) dateCell.appendChild(htmlEl("span", { class: "unfinished" }, "unfinished"));
  tr.append(
    dateCell,
    htmlEl("td", {}, s.source),
    htmlEl("td", { title: s.routine_moves.join(", ") }, s.routine || "video"),
    htmlEl("td", {}, `${s.rounds} × ${s.set_seconds} s`),
    htmlEl("td", { class: "num" }, s.set_count),
    htmlEl("td", { class: "num" }, s.rep_count),
    htmlEl("td", { class: "num" }, seconds(s.hold_ms)),
  );
  const buttons = htmlEl("div", { class: "note-buttons" });
  for (const [note, label] of NOTE_CHOICES) {
    const button = htmlEl("button", { type: "button", class: note, "aria-pressed": s.note === note }, label);
    button.addEventListener("click", () => setNote(s.id, s.note === note ? null : note));
    buttons.appendChild(button);
  }
  const cell = htmlEl("td");
  cell.appendChild(buttons);
  tr.appendChild(cell);
  return tr;
}

function renderSessions(sessions) {
  const body = document.getElementById("sessions");
  body.replaceChildren(...sessions.slice(0, 10).map(sessionRow));
  if (!sessions.length) {
    const td = htmlEl("td", { colspan: 8, class: "empty" }, "No sessions yet: finish a set in the coach and it shows up here.");
    const tr = htmlEl("tr");
    tr.appendChild(td);
    body.appendChild(tr);
  }
}

async function setNote(sessionId, note) {
  try {
    await getJSON(`/api/history/sessions/${sessionId}/note`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ note }),
    });
    await load();
  } catch (error) {
    showStatus(error.message);
  }
}

function showStatus(text) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.hidden = !text;
}

// ---- routine filter: every figure and note then covers that routine's sessions only ----

function renderRoutineFilter(routines, chosen) {
  const select = document.getElementById("routine-filter");
  const options = [["", "All routines"], ...routines.map((name) => [name, name])];
  select.replaceChildren(...options.map(([value, label]) => new Option(label, value)));
  select.value = chosen || "";
}

document.getElementById("routine-filter").addEventListener("change", (event) => {
  if (event.target.value) pageParams.set("routine", event.target.value);
  else pageParams.delete("routine");
  history.replaceState(null, "", `${location.pathname}${pageParams.size ? `?${pageParams}` : ""}`);
  load();
});

async function load() {
  try {
    const [summary, sessions] = await Promise.all([
      getJSON(`/api/history/summary${apiQuery(["since", "today", "routine"])}`),
      getJSON(`/api/history/sessions${apiQuery(["since", "routine"])}`),
    ]);
    renderRoutineFilter(summary.routines, summary.routine);
    renderRhythm(summary.calendar);
    renderNotes(summary.notes);
    renderBalance(summary);
    renderTrends(summary);
    renderSessions(sessions.sessions);
    showStatus("");
    document.body.dataset.ready = "true";
  } catch (error) {
    showStatus(error.message);
  }
}

load();
