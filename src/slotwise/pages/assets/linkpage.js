// What the pages opened by a link with a secret in its fragment share (the invitee's manage
// page, the host's Confirm / Decline page): the page's data and strings, the secret (which
// never reaches a server log), and times in the browser's zone.

export const data = JSON.parse(document.getElementById("page-data").textContent);
export const $ = (id) => document.getElementById(id);
export const t = (text) => data.strings[text] ?? text;
export const secret = decodeURIComponent(window.location.hash.slice(1));
const locale = data.lang === "de" ? "de-DE" : "en-US";

export function when(iso) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const text = new Intl.DateTimeFormat(locale, {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
  return `${text} (${zone})`;
}
