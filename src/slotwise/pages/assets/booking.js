// The booking page: month view, times of the chosen day, the form, the confirmation.
// No framework: the server renders the page and its first month of slots; this module only
// draws the calendar and talks to the public JSON behind the page.

const data = JSON.parse(document.getElementById("page-data").textContent);
const $ = (id) => document.getElementById(id);
const locale = data.lang === "de" ? "de-DE" : "en-US";

const t = (text, vars = {}) =>
  Object.entries(vars).reduce(
    (out, [name, value]) => out.replace(`{${name}}`, value),
    data.strings[text] ?? text,
  );

const state = {
  zone: data.zone,
  month: data.month, // YYYY-MM
  answer: data.slots,
  day: data.date,
  slot: null,
  key: newKey(),
  gone: false, // a one-time link that books no more
};

function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// --- formatting --------------------------------------------------------------------------

function timeText(iso) {
  return new Intl.DateTimeFormat(locale, {
    hour: data.hour12 ? "numeric" : "2-digit",
    minute: "2-digit",
    hour12: data.hour12,
    timeZone: state.zone,
  }).format(new Date(iso));
}

// The host's date format, a CLDR pattern such as dd/MM/yyyy (none: the language's own).
function patterned(y, m, d) {
  const month = (width) =>
    new Intl.DateTimeFormat(locale, { month: width, timeZone: "UTC" }).format(
      new Date(Date.UTC(y, m - 1, d)),
    );
  const parts = {
    yyyy: String(y),
    yy: String(y % 100).padStart(2, "0"),
    MMMM: month("long"),
    MMM: month("short"),
    MM: String(m).padStart(2, "0"),
    M: String(m),
    dd: String(d).padStart(2, "0"),
    d: String(d),
  };
  return data.dateFormat.replace(/yyyy|yy|MMMM|MMM|MM|M|dd|d/g, (token) => parts[token]);
}

function dateText(y, m, d, weekday) {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (data.dateFormat) {
    const day = new Intl.DateTimeFormat(locale, { weekday, timeZone: "UTC" }).format(date);
    return `${day}, ${patterned(y, m, d)}`;
  }
  return new Intl.DateTimeFormat(locale, {
    weekday,
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(date);
}

function dayText(isoDate, weekday = "long") {
  const [y, m, d] = isoDate.split("-").map(Number);
  return dateText(y, m, d, weekday);
}

function whenText(iso) {
  // the calendar date in the shown zone, then written like any other date on the page
  const local = new Intl.DateTimeFormat("en-CA", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    timeZone: state.zone,
  }).format(new Date(iso));
  return `${dayText(local)}, ${timeText(iso)} (${state.zone})`;
}

// --- slots -------------------------------------------------------------------------------

function monthBounds(month) {
  const [y, m] = month.split("-").map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return [`${month}-01`, `${month}-${String(last).padStart(2, "0")}`];
}

function shiftMonth(month, delta) {
  const [y, m] = month.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1 + delta, 1));
  return date.toISOString().slice(0, 7);
}

async function loadSlots() {
  const [start, end] = monthBounds(state.month);
  const query = new URLSearchParams({ start, end, timezone: state.zone });
  $("times-heading").textContent = t("Loading times…");
  $("slot-list").replaceChildren(); // no stale times to pick while the new ones load
  const response = await fetch(`${data.slotsUrl}?${query}`, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`slots: ${response.status}`);
  state.answer = await response.json();
}

function spotsOn(day) {
  const found = state.answer.dates.find((entry) => entry.date === day);
  return found ? found.spots : [];
}

// --- calendar ----------------------------------------------------------------------------

function drawWeekdays() {
  const row = $("weekdays");
  row.replaceChildren();
  for (let i = 0; i < 7; i += 1) {
    // 2024-01-01 was a Monday
    const date = new Date(Date.UTC(2024, 0, 1 + i));
    const th = document.createElement("th");
    th.scope = "col";
    th.abbr = new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" }).format(date);
    th.textContent = new Intl.DateTimeFormat(locale, { weekday: "short", timeZone: "UTC" }).format(date);
    row.append(th);
  }
}

function drawCalendar() {
  const [y, m] = state.month.split("-").map(Number);
  $("month-label").textContent = new Intl.DateTimeFormat(locale, {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(new Date(Date.UTC(y, m - 1, 1)));
  const body = $("days");
  body.replaceChildren();
  const first = new Date(Date.UTC(y, m - 1, 1));
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const offset = (first.getUTCDay() + 6) % 7; // Monday first
  let row = document.createElement("tr");
  for (let i = 0; i < offset; i += 1) row.append(document.createElement("td"));
  for (let d = 1; d <= days; d += 1) {
    const iso = `${state.month}-${String(d).padStart(2, "0")}`;
    const cell = document.createElement("td");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "day";
    button.textContent = String(d);
    const open = spotsOn(iso).length > 0;
    button.setAttribute("aria-label", open ? `${dayText(iso)}, ${t("Available")}` : dayText(iso));
    button.disabled = !open;
    button.setAttribute("aria-pressed", String(iso === state.day));
    button.dataset.date = iso;
    button.addEventListener("click", () => chooseDay(iso));
    cell.append(button);
    row.append(cell);
    if ((offset + d) % 7 === 0) {
      $("days").append(row);
      row = document.createElement("tr");
    }
  }
  if (row.children.length) {
    while (row.children.length < 7) row.append(document.createElement("td"));
    body.append(row);
  }
}

function drawTimes() {
  const list = $("slot-list");
  list.replaceChildren();
  const heading = $("times-heading");
  if (!state.answer.dates.some((entry) => entry.spots.length)) {
    heading.textContent = t("No times in this month.");
    return;
  }
  if (!state.day) {
    heading.textContent = "";
    return;
  }
  const spots = spotsOn(state.day);
  heading.textContent = spots.length
    ? t("Times on {date}", { date: dayText(state.day) })
    : t("No times left on this day.");
  for (const spot of spots) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "slot";
    button.textContent = timeText(spot.startTime);
    if (spot.appointment) {
      const left = spot.appointment.totalSpots - spot.appointment.takenSpots;
      const seats = document.createElement("span");
      seats.className = "seats";
      seats.textContent = left === 1 ? t("1 seat left") : t("{count} seats left", { count: left });
      seats.setAttribute("aria-hidden", "true");
      item.append(button, seats);
    } else {
      item.append(button);
    }
    button.addEventListener("click", () => chooseSlot(spot));
    list.append(item);
  }
}

function draw() {
  drawCalendar();
  drawTimes();
}

function chooseDay(day) {
  state.day = day;
  draw();
  const first = $("slot-list").querySelector("button");
  if (first) first.focus();
}

async function goToMonth(delta) {
  state.month = shiftMonth(state.month, delta);
  state.day = null;
  try {
    await loadSlots();
  } catch {
    $("times-heading").textContent = t("Something went wrong. Please try again.");
    return;
  }
  const open = state.answer.dates.find((entry) => entry.spots.length);
  if (open) state.day = open.date;
  draw();
}

// --- time zone ---------------------------------------------------------------------------

function fillZones() {
  const select = $("zone");
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const all = zones.includes(state.zone) ? zones : [state.zone, ...zones];
  for (const zone of all) {
    const option = document.createElement("option");
    option.value = zone;
    option.textContent = zone.replaceAll("_", " ");
    option.selected = zone === state.zone;
    select.append(option);
  }
  select.addEventListener("change", async () => {
    state.zone = select.value;
    await loadSlots();
    draw();
  });
}

// --- booking -----------------------------------------------------------------------------

function chooseSlot(spot) {
  state.slot = spot;
  const chosen = `${data.title} · ${whenText(spot.startTime)}`;
  $("picker").hidden = true;
  if (data.reschedule) {
    $("move-chosen").textContent = chosen;
    $("move-error").textContent = "";
    $("move").hidden = false;
    $("move-heading").focus();
  } else {
    $("chosen").textContent = chosen;
    $("details").hidden = false;
    $("form-error").textContent = "";
    $("details-heading").focus();
  }
  resize();
}

function back() {
  $("details").hidden = true;
  if ($("move")) $("move").hidden = true;
  $("picker").hidden = false;
  draw();
  const pressed = $("days").querySelector('[aria-pressed="true"]');
  if (pressed) pressed.focus();
  resize();
}

const FIELD_OF = {
  attendee: "f-name",
  "attendee.fullname": "f-name",
  "attendee.email": "f-email",
  "attendee.phone": "f-phone",
};

function showError(inputId, message) {
  const input = $(inputId);
  const slot = $(`${inputId}-error`);
  if (!input || !slot) return false;
  input.setAttribute("aria-invalid", "true");
  slot.textContent = message;
  return true;
}

function clearErrors() {
  for (const input of document.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  for (const slot of document.querySelectorAll(".error")) slot.textContent = "";
  $("form-error").textContent = "";
}

function checkForm(form) {
  let first = null;
  for (const input of form.querySelectorAll("input[required], select[required], textarea[required]")) {
    const empty = input.type === "checkbox" ? !input.checked : !input.value.trim();
    if (empty && showError(input.id, t("Required"))) first ??= input;
  }
  const email = $("f-email");
  if (email.value.trim() && !/^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$/.test(email.value.trim())) {
    showError("f-email", t("Enter a valid email address"));
    first ??= email;
  }
  if (first) first.focus();
  return first === null;
}

function body(form) {
  const attendee = {
    fullname: $("f-name").value.trim(),
    email: $("f-email").value.trim(),
    timezone: state.zone,
    language: data.lang,
  };
  if ($("f-phone")) attendee.phone = $("f-phone").value.trim();
  const notes = $("f-notes").value.trim();
  if (notes) attendee.notes = { text: notes };
  const custom = {};
  for (const field of form.querySelectorAll("[data-custom]")) {
    const input = field.querySelector("input, select, textarea");
    const value = input.type === "checkbox" ? input.checked : input.value.trim();
    if (value !== "" && value !== false) custom[field.dataset.custom] = value;
  }
  const out = { start: state.slot.startTime, attendee, website: $("f-website").value };
  if (Object.keys(custom).length) out.customFieldValues = custom;
  return out;
}

async function submit(event) {
  event.preventDefault();
  const form = event.target;
  clearErrors();
  if (!checkForm(form)) return;
  const button = $("submit");
  button.disabled = true;
  button.textContent = t("Booking…");
  try {
    const response = await fetch(data.bookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": state.key },
      body: JSON.stringify(body(form)),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.status === 201) return booked(answer);
    if (response.status === 409) return taken();
    if (response.status === 410) return gone(answer);
    if (response.status === 400 && Array.isArray(answer.errors)) return invalid(answer.errors);
    $("form-error").textContent = t("Something went wrong. Please try again.");
  } catch {
    $("form-error").textContent = t("Something went wrong. Please try again.");
  } finally {
    button.disabled = state.gone;
    button.textContent = t("Confirm booking");
  }
}

/** A one-time link that was used (by someone else meanwhile) or expired: it books no more. */
function gone(answer) {
  state.gone = true;
  $("form-error").textContent = answer.code === "link_expired"
    ? t("This link has expired.")
    : t("This link has already been used.");
}

function invalid(errors) {
  let shown = false;
  for (const error of errors) {
    const id = FIELD_OF[error.field] ?? (error.field.startsWith("customFieldValues.")
      ? `c-${error.field.slice("customFieldValues.".length)}`
      : null);
    const message = error.message === "Required" ? t("Required") : t("Please check this field");
    if (id && showError(id, message)) {
      if (!shown) $(id).focus();
      shown = true;
    }
  }
  if (!shown) $("form-error").textContent = t("Please check this field");
}

async function taken() {
  state.key = newKey();
  try {
    await loadSlots();
  } catch {
    /* the message below still applies */
  }
  back();
  const heading = $("times-heading");
  heading.textContent = `${t("This time is no longer available. Please pick another one.")} ${heading.textContent}`;
}

const stamp = (date) => date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

// The appointment's own calendar file (its stable UID, so later updates replace it), read with
// the secret the manage link carries.
async function calendarFile(answer) {
  const secret = decodeURIComponent(new URL(answer.manageUrl).hash.slice(1));
  const response = await fetch(`/v4/public/appointment/${answer.appointmentId}/ics`, {
    headers: { "x-appointment-secret": secret },
  }).catch(() => null);
  if (!response || !response.ok) return null;
  return URL.createObjectURL(await response.blob());
}

function link(href, text, download) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  if (download) a.download = download;
  else a.rel = "noopener noreferrer";
  if (!download && href.startsWith("https://")) a.target = "_blank";
  return a;
}

async function booked(answer) {
  $("details").hidden = true;
  const done = $("done");
  done.hidden = false;
  $("done-when").textContent = `${data.title} · ${whenText(state.slot.startTime)}`;
  const links = $("done-links");
  links.replaceChildren();
  if (answer.bookingType === "doubleOptIn") {
    $("done-heading").textContent = t("Almost done: please confirm your booking");
    $("done-note").textContent = t(
      "We have sent you an email. Your booking counts once you confirm it with the link in it; until then the time is held for you.",
    );
  } else if (answer.bookingType === "hostConfirmation") {
    $("done-heading").textContent = t("Requested: waiting for the host to confirm");
    $("done-note").textContent = t("The host will confirm your booking by email.");
  } else {
    $("done-heading").textContent = t("You are booked");
    $("done-note").textContent = "";
    const start = new Date(state.slot.startTime);
    const end = new Date(start.getTime() + data.duration * 60000);
    const google = new URL("https://calendar.google.com/calendar/render");
    google.searchParams.set("action", "TEMPLATE");
    google.searchParams.set("text", data.title);
    google.searchParams.set("dates", `${stamp(start)}/${stamp(end)}`);
    const heading = document.createElement("h3");
    heading.textContent = t("Add to calendar");
    links.append(heading);
    const file = await calendarFile(answer);
    if (file) links.append(link(file, t("Download calendar file (.ics)"), "booking.ics"));
    links.append(
      link(google.toString(), t("Google Calendar")),
      link(answer.manageUrl, t("Manage or cancel your booking")),
    );
  }
  done.focus();
  post({
    type: "slotwise:booking_created",
    appointmentId: answer.appointmentId ?? answer.provisionalBookingId,
    start: state.slot.startTime,
  });
  resize();
  if (data.redirect) redirect(answer);
}

// The host's own page after booking (meetergo's enableRedirect), with the booking's id and,
// when asked, its details in the query.
function redirect(answer) {
  const target = new URL(data.redirect.url);
  target.searchParams.set("appointmentId", answer.appointmentId ?? answer.provisionalBookingId);
  if (data.redirect.details) {
    const start = new Date(state.slot.startTime);
    target.searchParams.set("start", start.toISOString());
    target.searchParams.set("end", new Date(start.getTime() + data.duration * 60000).toISOString());
    target.searchParams.set("name", $("f-name").value.trim());
    target.searchParams.set("email", $("f-email").value.trim());
  }
  window.location.assign(target.toString());
}

// --- moving a booking (from its manage link) ----------------------------------------------

const secret = decodeURIComponent(window.location.hash.slice(1));

async function move() {
  const button = $("move-confirm");
  button.disabled = true;
  $("move-error").textContent = "";
  try {
    const response = await fetch(`/v4/public/appointment/${data.reschedule}/reschedule`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ start: state.slot.startTime, secret }),
    });
    if (response.ok) return moved();
    if (response.status === 409) return taken();
    $("move-error").textContent = t("Something went wrong. Please try again.");
  } catch {
    $("move-error").textContent = t("Something went wrong. Please try again.");
  } finally {
    button.disabled = false;
  }
}

function moved() {
  $("move").hidden = true;
  $("done").hidden = false;
  $("done-heading").textContent = t("Your booking has been moved");
  $("done-when").textContent = `${data.title} · ${whenText(state.slot.startTime)}`;
  $("done-note").textContent = "";
  const manage = `/my/${data.reschedule}#${encodeURIComponent(secret)}`;
  $("done-links").replaceChildren(link(manage, t("Manage or cancel your booking")));
  $("done").focus();
  resize();
}

// --- embedding ---------------------------------------------------------------------------

function post(message) {
  if (data.embed && window.parent !== window) window.parent.postMessage(message, "*");
}

function resize() {
  post({ type: "slotwise:resize", height: document.documentElement.scrollHeight });
}

// --- start -------------------------------------------------------------------------------

async function start() {
  drawWeekdays();
  fillZones();
  $("prev").addEventListener("click", () => goToMonth(-1));
  $("next").addEventListener("click", () => goToMonth(1));
  $("back").addEventListener("click", back);
  $("form").addEventListener("submit", submit);
  if (data.reschedule) {
    $("move-back").addEventListener("click", back);
    $("move-confirm").addEventListener("click", move);
  }
  if (!state.day) {
    const open = state.answer.dates.find((entry) => entry.spots.length);
    if (open) state.day = open.date;
  }
  draw();
  if (!data.zoneFromLink) {
    const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (browser && browser !== state.zone) {
      state.zone = browser;
      $("zone").value = browser;
      try {
        await loadSlots();
      } catch {
        /* keep the host's zone */
      }
      draw();
    }
  }
  if (data.embed) new ResizeObserver(resize).observe(document.body);
}

start();
