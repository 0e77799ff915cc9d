// The dashboard's controls: every change puts the form's state in the URL query and redraws the view
// from /view; charts are drawn from the Plotly JSON the server sends. Without this script the form
// still works (Apply submits it as a plain GET).
(function () {
  "use strict";
  const form = document.getElementById("controls");
  const views = document.getElementById("views");
  const status = document.getElementById("status");
  const config = { responsive: true, displayModeBar: false };
  let latest = 0;

  function draw(root) {
    const data = root.querySelector("script#charts-data");
    if (!data) return;
    const charts = JSON.parse(data.textContent);
    for (const [id, fig] of Object.entries(charts)) {
      const el = document.getElementById(id);
      if (el) Plotly.react(el, fig.data, fig.layout, config);
    }
  }

  function formQuery() {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) {
      if (String(value).trim() !== "") params.append(key, value);
    }
    return params.toString();
  }

  function ready(query) {
    document.body.dataset.ready = query;
    window.cinelakeRedrawn = performance.now();
  }

  async function redraw(push) {
    const query = formQuery();
    const mine = ++latest;
    if (push) history.pushState(null, "", "?" + query);
    document.body.dataset.ready = "";
    let response, body;
    try {
      response = await fetch("/view?" + query, { headers: { Accept: "application/json" } });
      body = await response.json();
    } catch (error) {
      if (mine !== latest) return;
      status.textContent = "The dashboard's server did not answer: " + error;
      status.className = "error";
      ready(query);
      return;
    }
    if (mine !== latest) return; // a later change is on its way
    if (!response.ok) {
      status.textContent = body.error;
      status.className = "error";
      views.hidden = true;
    } else {
      status.textContent = "";
      status.className = "";
      views.hidden = false;
      // Keep the drawn charts' elements: Plotly.react then updates them in place instead of drawing
      // new ones from nothing.
      const kept = {};
      for (const id of Object.keys(body.charts)) {
        const old = document.getElementById(id);
        if (old && old.classList.contains("js-plotly-plot")) kept[id] = old;
      }
      views.innerHTML = body.html + '<script type="application/json" id="charts-data"></script>';
      for (const [id, old] of Object.entries(kept)) {
        const fresh = document.getElementById(id);
        if (fresh) fresh.replaceWith(old);
      }
      views.querySelector("script#charts-data").textContent = JSON.stringify(body.charts);
      views.dataset.query = body.query;
      draw(views);
    }
    ready(query);
  }

  if (form) {
    form.addEventListener("change", function (event) {
      if (event.target.name === "kind") {
        // Genres, thresholds and rank keys differ by kind: start the other kind from its defaults.
        const keep = new URLSearchParams();
        keep.set("kind", event.target.value);
        for (const name of ["match", "n", "year_from", "year_to"]) {
          const field = form.elements[name];
          const value = field && field.value !== undefined ? String(field.value).trim() : "";
          if (value) keep.set(name, value);
        }
        window.location.search = "?" + keep.toString();
        return;
      }
      redraw(true);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      redraw(true);
    });
    window.addEventListener("popstate", function () {
      window.location.reload();
    });
  }

  document.addEventListener("click", function (event) {
    const row = event.target.closest("tr[data-tmdb-id]");
    if (!row || event.target.closest("a")) return;
    const link = row.querySelector("a[href]");
    if (link) window.location.href = link.href;
  });

  draw(document);
  ready(window.location.search.replace(/^\?/, ""));
})();
