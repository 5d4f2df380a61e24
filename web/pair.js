// "Use another device" (coach serve --pair), after app.js: the pairing sheet on the computer that runs the coach.
// The button appears only where /api/pairing answers: pairing is on and this page is the computer's own (a paired
// phone gets 403 there, so it can neither make codes nor unpair others).
"use strict";

const PAIR_POLL_MS = 2000; // the sheet refreshes while open: a device that just paired appears, the code counts down

const pairing = { poll: 0 };

async function pairingCall(method, path, body) {
  const response = await fetch(`api/pairing${path}`, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`pairing: ${response.status}`);
  return response.status === 204 ? null : response.json();
}

function renderPairing(state) {
  const code = state.code;
  $("pair-url").textContent = code ? code.pair_url.replace(/\?.*$/, "") : state.url;
  $("pair-code").textContent = code ? `${code.code.slice(0, 3)} ${code.code.slice(3)}` : "–";
  $("pair-qr").innerHTML = code ? code.qr_svg : ""; // an SVG made by the coach (segno) from the address above
  $("pair-expires").textContent = code
    ? `This code works once, for ${clock(code.expires_in_s)} more.`
    : "The code was used or has expired: press New code for another device.";
  if (code) $("pair-allow-history").checked = code.allow_history;
  $("pair-locked").hidden = !state.locked_s;
  $("pair-locked").textContent = `Pairing is locked for ${state.locked_s} s after 5 wrong codes.`;
  // two halves of 16 bytes, each kept on one line, so a line never breaks inside a byte
  const half = state.fingerprint_sha256.length / 2 + 1;
  $("pair-fingerprint").replaceChildren(...[state.fingerprint_sha256.slice(0, half), state.fingerprint_sha256.slice(half)]
    .map((text) => Object.assign(document.createElement("span"), { textContent: text })));
  $("pair-devices").replaceChildren(...(state.devices.length ? state.devices.map(deviceRow)
    : [Object.assign(document.createElement("li"), { textContent: "None yet." })]));
}

function deviceRow(device) {
  const row = document.createElement("li");
  row.dataset.testid = "pair-device";
  row.dataset.deviceId = device.device_id;
  const name = Object.assign(document.createElement("span"), { textContent: device.name });
  if (device.allow_history) name.append(Object.assign(document.createElement("small"), { textContent: "sees history" }));
  const revoke = Object.assign(document.createElement("button"), { textContent: "Unpair" });
  revoke.dataset.testid = "pair-revoke";
  revoke.addEventListener("click", async () => {
    await pairingCall("DELETE", `/devices/${encodeURIComponent(device.device_id)}`);
    refreshPairing();
  });
  row.append(name, revoke);
  return row;
}

async function refreshPairing() {
  renderPairing(await pairingCall("GET", ""));
}

async function newPairingCode() {
  renderPairing(await pairingCall("POST", "/code", { allow_history: $("pair-allow-history").checked }));
}

async function openPairing() {
  $("pair-allow-history").checked = false; // history access is given per device, never by default
  await newPairingCode();
  openSheet("pair-sheet");
  clearInterval(pairing.poll);
  pairing.poll = setInterval(() => refreshPairing().catch(() => {}), PAIR_POLL_MS);
}

const pairButtons = document.querySelectorAll(".pair-button"); // in the top bar and on the start sheet
pairButtons.forEach((button) => button.addEventListener("click", () => openPairing().catch((err) => showWarning(err.message))));
document.getElementById("pair-new").addEventListener("click", () => newPairingCode());
document.getElementById("pair-history").addEventListener("change", () => newPairingCode());
document.getElementById("pair-sheet").addEventListener("close", () => clearInterval(pairing.poll));

fetch("api/pairing").then((response) => pairButtons.forEach((button) => { button.hidden = !response.ok; })).catch(() => {});
