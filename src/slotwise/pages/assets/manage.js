// The manage page: the booking behind a manage link, cancel it (with a reason) or move it.
// The secret is the link's fragment: it never reaches a server log; it travels only in the
// X-Appointment-Secret header and in request bodies.

import { $, data, dress, secret, t, when } from "./linkpage.js";

function gone() {
  $("m-booking").hidden = true;
  $("m-status").textContent = t("This booking is no longer active.");
}

async function load() {
  if (!secret) return gone();
  const response = await fetch(data.apiUrl, {
    headers: { accept: "application/json", "x-appointment-secret": secret },
  });
  if (!response.ok) return gone();
  const booking = await response.json();
  dress(booking.look, booking.hostName);
  $("m-status").textContent = "";
  $("m-host").textContent = booking.hostName;
  $("m-what").textContent = booking.title;
  $("m-when").textContent = when(booking.appointment.start);
  const move = $("m-reschedule");
  if (booking.bookingUrl) {
    const target = new URL(booking.bookingUrl);
    target.searchParams.set("reschedule", data.appointmentId);
    if (data.lang !== "en") target.searchParams.set("lang", data.lang);
    target.hash = encodeURIComponent(secret);
    move.href = target.toString();
  } else {
    move.hidden = true;
  }
  $("m-booking").hidden = false;
}

function openCancel() {
  $("m-cancel-form").hidden = false;
  $("m-reason").focus();
}

async function cancel(event) {
  event.preventDefault();
  $("m-error").textContent = "";
  const reason = $("m-reason").value.trim();
  const response = await fetch(data.cancelUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(reason ? { secret, reason } : { secret }),
  }).catch(() => null);
  if (response && response.ok) {
    $("m-booking").hidden = true;
    $("m-status").textContent = t("Your booking is cancelled.");
    $("m-title").focus();
    return;
  }
  if (response && (response.status === 404 || response.status === 409)) return gone();
  $("m-error").textContent = t("Something went wrong. Please try again.");
}

$("m-title").tabIndex = -1;
$("m-cancel").addEventListener("click", openCancel);
$("m-cancel-form").addEventListener("submit", cancel);
load();
