// One tag on a partner's page puts a booking page there, in an iframe that fits its content:
//   <script src="https://book.example/embed.js" data-slotwise-url="https://book.example/ann/consult"></script>
// Optional: data-slotwise-title (the frame's accessible name). The booking page posts
// {type: "slotwise:booking_created", appointmentId, start} to this window when a booking is made
// (listen for "message" events), and {type: "slotwise:resize", height} to fit the frame.
(() => {
  const script = document.currentScript;
  if (!script || !script.dataset.slotwiseUrl) return;
  const home = new URL(script.src, window.location.href);
  const page = new URL(script.dataset.slotwiseUrl, home);
  page.searchParams.set("embed", "1");
  const frame = document.createElement("iframe");
  frame.src = page.toString();
  frame.title = script.dataset.slotwiseTitle || "Booking";
  frame.style.width = "100%";
  frame.style.minHeight = "640px";
  frame.style.border = "0";
  script.insertAdjacentElement("afterend", frame);
  window.addEventListener("message", (event) => {
    if (event.origin !== page.origin || event.source !== frame.contentWindow) return;
    const message = event.data || {};
    if (message.type === "slotwise:resize" && Number.isFinite(message.height)) {
      frame.style.height = `${Math.ceil(message.height)}px`;
    }
  });
})();
