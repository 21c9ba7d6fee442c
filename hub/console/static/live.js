// The routing log refreshes itself: its rows are fetched again every 5 seconds, with the
// same filters and page. A failed fetch leaves the rows as they are and tries again; once
// the session has ended, the page reloads to the sign-in form.
(function () {
  const rows = document.getElementById("rows");
  if (!rows) return;
  async function refresh() {
    try {
      const answer = await fetch(rows.dataset.src, { credentials: "same-origin" });
      // Sent to sign in (the session ended): the whole page goes, not the form in the table.
      if (answer.redirected) { window.location.reload(); return; }
      if (answer.ok) rows.innerHTML = await answer.text();
    } catch (_) { /* the next round tries again */ }
  }
  setInterval(refresh, 5000);
})();
