// The attendee's page to confirm a double opt-in booking. The link's token is its fragment: it
// never reaches a server log; it travels only in a header and in the POST body. Opening the
// page changes nothing (mail scanners open links); only the button does.

import { $, data, dress, secret, t, when } from "./linkpage.js";

let hostName = "";

function say(message) {
  $("o-form").hidden = true;
  $("o-status").textContent = message;
  $("o-title").focus();
}

function closed(message) {
  $("o-booking").hidden = true;
  say(message);
}

// Where the booking stands once the attendee has confirmed it (now, or with an earlier click).
function settled(status) {
  say(
    status === "requested"
      ? t("Thank you. {name} will confirm your booking; you will get another email then.").replace(
          "{name}",
          hostName,
        )
      : t("Your booking is confirmed. You will get an email with the details."),
  );
}

async function load() {
  if (!secret) return closed(t("This link is no longer valid."));
  const response = await fetch(data.apiUrl, {
    headers: { accept: "application/json", "x-appointment-secret": secret },
  }).catch(() => null);
  if (!response || !response.ok) return closed(t("This link is no longer valid."));
  const booking = await response.json();
  hostName = booking.hostName;
  dress(booking.look, booking.hostName);
  $("o-host").textContent = booking.hostName;
  $("o-what").textContent = booking.title;
  $("o-when").textContent = when(booking.start);
  $("o-booking").hidden = false;
  if (booking.status !== "pending") return settled(booking.status);
  $("o-status").textContent = "";
  $("o-until").textContent = t("The time is held for you until {time}.").replace(
    "{time}",
    when(booking.expiresAt),
  );
  $("o-form").hidden = false;
  $("o-confirm").focus();
}

async function confirm(event) {
  event.preventDefault();
  const button = $("o-confirm");
  if (button.disabled) return;
  button.disabled = true;
  $("o-error").textContent = "";
  const response = await fetch(data.confirmUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ secret }),
  }).catch(() => null);
  button.disabled = false;
  if (response && response.ok) return settled((await response.json()).status);
  if (response && response.status === 409) {
    const error = await response.json().catch(() => ({}));
    if (error.code === "slot_unavailable") {
      return closed(t("The time is no longer held for you. Please book again."));
    }
  }
  if (response && (response.status === 404 || response.status === 409)) {
    return closed(t("This link is no longer valid."));
  }
  $("o-error").textContent = t("Something went wrong. Please try again.");
}

$("o-title").tabIndex = -1;
$("o-form").addEventListener("submit", confirm);
load();
