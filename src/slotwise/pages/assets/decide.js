// The host's Confirm / Decline page for a booking request. The link's token is its fragment:
// it never reaches a server log; it travels only in a header and in the POST body. Opening the
// page changes nothing (mail scanners open links); only a button does.

import { $, data, secret, t, when } from "./linkpage.js";

function closed(message) {
  $("d-request").hidden = true;
  $("d-status").textContent = message;
  $("d-title").focus();
}

async function load() {
  if (!secret) return closed(t("This request is no longer open."));
  const response = await fetch(data.apiUrl, {
    headers: { accept: "application/json", "x-appointment-secret": secret },
  }).catch(() => null);
  if (!response || !response.ok) return closed(t("This request is no longer open."));
  const request = await response.json();
  $("d-status").textContent = "";
  $("d-what").textContent = request.title;
  $("d-when").textContent = when(request.start);
  $("d-who").textContent = request.attendees.join(", ");
  $("d-request").hidden = false;
  const chosen = data.action === "decline" ? $("d-decline") : $("d-confirm");
  chosen.focus();
}

async function decide(event) {
  event.preventDefault();
  const action = event.submitter && event.submitter.value === "decline" ? "decline" : "confirm";
  $("d-error").textContent = "";
  const reason = $("d-reason").value.trim();
  const body = action === "decline" && reason ? { secret, reason } : { secret };
  const response = await fetch(`${data.apiUrl}/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  }).catch(() => null);
  if (response && response.ok) {
    return closed(
      action === "confirm"
        ? t("The booking is confirmed. The invitee gets a confirmation.")
        : t("The request is declined. The invitee is told."),
    );
  }
  if (response && (response.status === 404 || response.status === 409)) {
    return closed(t("This request is no longer open."));
  }
  $("d-error").textContent = t("Something went wrong. Please try again.");
}

$("d-title").tabIndex = -1;
$("d-form").addEventListener("submit", decide);
load();
