// The hosted form that connects a host's calendar (opened by the connect link of
// GET /v4/calendar-connections/auth/{provider}/url). The link's grant is its fragment: it never
// reaches a server log; it travels only in a header. Connected, the page goes back to the
// partner's redirectUrl with meetergo's success parameters.

import { $, data, secret, t } from "./linkpage.js";

const form = $("k-form");

function fail(message, field, back) {
  for (const name of ["url", "username", "password"]) {
    const slot = $(`k-${name}-error`);
    if (slot) slot.textContent = "";
    $(`k-${name}`)?.removeAttribute("aria-invalid");
  }
  const slot = field && $(`k-${field}-error`);
  if (slot) {
    slot.textContent = message;
    $(`k-${field}`).setAttribute("aria-invalid", "true");
    $(`k-${field}`).focus();
  } else {
    $("k-error").textContent = message;
  }
  if (back) {
    $("k-back").href = back;
    $("k-back").hidden = false;
  }
}

async function submit(event) {
  event.preventDefault();
  if (!secret) return fail(t("This link is no longer valid."));
  const body = { url: $("k-url").value.trim() };
  if ($("k-username")) {
    body.username = $("k-username").value.trim();
    body.password = $("k-password").value;
  }
  $("k-submit").disabled = true;
  $("k-status").textContent = t("Connecting…");
  const response = await fetch(data.apiUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "x-connect-token": secret },
    body: JSON.stringify(body),
  }).catch(() => null);
  $("k-submit").disabled = false;
  $("k-status").textContent = "";
  if (!response) return fail(t("Something went wrong. Please try again."));
  const answer = await response.json().catch(() => ({}));
  if (response.status === 201) {
    if (answer.redirectUrl) return window.location.assign(answer.redirectUrl);
    form.hidden = true;
    $("k-status").textContent = t("Your calendar is connected.");
    return $("k-title").focus();
  }
  if (response.status === 404) return fail(t("This link is no longer valid."));
  const first = (answer.errors || [])[0];
  const field = first && ["url", "username", "password"].includes(first.field) ? first.field : null;
  fail(first ? first.message : t("Something went wrong. Please try again."), field, answer.redirectUrl);
}

form.addEventListener("submit", submit);
