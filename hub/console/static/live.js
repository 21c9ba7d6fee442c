// The routing log refreshes itself: its rows are fetched again every 5 seconds, with the
// same filters and page. A failed fetch leaves the rows as they are and tries again.
(function () {
  const rows = document.getElementById("rows");
  if (!rows) return;
  async function refresh() {
    try {
      const answer = await fetch(rows.dataset.src, { credentials: "same-origin" });
      if (answer.ok) rows.innerHTML = await answer.text();
    } catch (_) { /* the next round tries again */ }
  }
  setInterval(refresh, 5000);
})();
