// Number and unit formatting shared by the coach page and the "Analyse a video" page.
"use strict";

function clock(totalSeconds) {
  const s = Math.max(0, totalSeconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function romUnit(name) {
  // "front_knee_deg" -> "° front knee"; "pelvis_drop_pct" -> "% pelvis drop"
  const unit = name.endsWith("_deg") ? "°" : name.endsWith("_pct") ? "%" : "";
  return `${unit} ${name.replace(/_(deg|pct)$/, "").replaceAll("_", " ")}`.trim();
}

function romRange(values, name) {
  if (!values || !values.length) return "–";
  return `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)} ${romUnit(name)}`;
}
