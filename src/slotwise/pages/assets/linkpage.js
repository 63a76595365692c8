// What the pages opened by a link with a secret in its fragment share (the invitee's manage
// page and confirm page, the host's Confirm / Decline page): the page's data and strings, the
// secret (which never reaches a server log), times in the browser's zone, and the look of the
// host's pages.

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

function element(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text) made.textContent = text;
  return made;
}

// An invitee's page is served before anyone knows whose booking it is; the booking brings the
// look of its company's pages (colours as custom properties, name, logo, footer).
export function dress(look, hostName) {
  for (const [name, value] of Object.entries(look.colors)) {
    document.documentElement.style.setProperty(name, value);
  }
  const header = document.querySelector("header.site");
  if (header) {
    if (look.logoUrl) {
      const logo = element("img", "logo");
      logo.src = look.logoUrl;
      logo.alt = "";
      logo.height = 40;
      header.append(logo);
    }
    header.append(element("p", "brand", look.displayName || hostName));
  }
  const footer = document.querySelector("footer.site");
  if (footer) {
    if (!look.hidePoweredBy) footer.append(element("p", "", t("Scheduling by slotwise")));
    if (look.privacyPolicyUrl) {
      const link = element("a", "", t("Privacy policy"));
      link.href = look.privacyPolicyUrl;
      link.rel = "noopener noreferrer";
      const line = element("p");
      line.append(link);
      footer.append(line);
    }
  }
}
