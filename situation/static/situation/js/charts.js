// Värn – draws the situation picture's charts with Chart.js from the JSON
// data placed beside each table. Without JavaScript the tables carry the same
// numbers, so nothing is lost; the chart boxes stay hidden then.
(function () {
  "use strict";
  if (!window.Chart) { return; }
  // Okabe–Ito colours (safe with colour-blindness); lines also differ in dash
  // and point shape so that they can be told apart in black and white.
  var palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
  var dashes = [[], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3], [10, 4], []];
  var points = ["circle", "rect", "triangle", "rectRot", "crossRot", "star", "line"];
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var lang = document.documentElement.lang || "sv";
  var numbers = new Intl.NumberFormat(lang);

  Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 13;
  Chart.defaults.color = "#1b1f24";

  // Long category names are cut on narrow screens; the table has them in full.
  function shortLabel(box) {
    return function (value) {
      var label = this.getLabelForValue(value);
      var max = box.clientWidth < 520 ? 18 : 42;
      return label.length > max ? label.slice(0, max - 1) + "…" : label;
    };
  }

  function draw(box) {
    var source = document.getElementById(box.getAttribute("data-chart"));
    var canvas = box.querySelector("canvas");
    if (!source || !canvas) { return; }
    var data = JSON.parse(source.textContent);
    var line = data.type === "line";
    box.hidden = false;
    var note = box.parentNode.querySelector(".chart-note");
    if (note) { note.hidden = false; }
    if (!line) {
      // One bar per row: the box grows with the number of categories.
      box.style.height = (data.labels.length * 30 + 40) + "px";
    }
    new window.Chart(canvas, {
      type: line ? "line" : "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (d, i) {
          var colour = palette[i % palette.length];
          return {
            label: d.label, data: d.data, missing: d.hidden_texts || [], borderColor: colour, backgroundColor: colour,
            borderDash: line ? dashes[i % dashes.length] : undefined,
            pointStyle: points[i % points.length], pointRadius: line ? 3 : 0,
            borderWidth: line ? 2 : 0, spanGaps: false, maxBarThickness: 22
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 300 },
        indexAxis: line ? "x" : "y",
        interaction: { mode: line ? "index" : "nearest", intersect: false },
        plugins: {
          legend: { display: line, position: "bottom", labels: { usePointStyle: true, boxWidth: 10 } },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var v = line ? ctx.parsed.y : ctx.parsed.x;
                // A missing value reads as in the table: "<5", ".." or "–" (no figure).
                var hidden = (ctx.dataset.missing || [])[ctx.dataIndex];
                return ctx.dataset.label + ": " + (v === null ? (hidden || "–") : numbers.format(v));
              }
            }
          }
        },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0, autoSkip: true, maxRotation: 0 } },
          y: line ? { beginAtZero: true, ticks: { precision: 0 } }
                  : { ticks: { autoSkip: false, callback: shortLabel(box) } }
        }
      }
    });
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
})();
