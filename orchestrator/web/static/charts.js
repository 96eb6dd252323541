/* vwatch ui: draws every chart the page embeds (<script type="application/json" data-chart>) with uPlot. */
(function () {
  "use strict";
  function draw(script) {
    var spec = JSON.parse(script.textContent);
    var box = document.querySelector('[data-chart-for="' + script.id + '"]');
    if (!box || !spec.days.length) return;
    var x = spec.days.map(function (d) { return Date.parse(d + "T00:00:00Z") / 1000; });
    var series = [{ label: "day", value: function (u, v) { return v == null ? "" : new Date(v * 1000).toISOString().slice(0, 10); } }];
    spec.series.forEach(function (s) {
      series.push(s.pointsOnly
        ? { label: s.label, stroke: s.color, width: 0, points: { show: true, size: 11, fill: s.color, stroke: s.color } }
        : { label: s.label, stroke: s.color, width: 2, dash: s.dash, points: { show: spec.days.length < 60 }, spanGaps: false });
    });
    var data = [x].concat(spec.series.map(function (s) { return s.values; }));
    var compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 2 });
    var yAxis = { size: 60, values: function (u, ticks) { return ticks.map(function (t) { return compact.format(t); }); } };
    var width = Math.max(320, Math.min(box.clientWidth || 800, 1100));
    new uPlot({ width: width, height: spec.height || 320, series: series, tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); }, scales: { x: { time: true } }, axes: [{}, yAxis], legend: { show: spec.series.length > 1 } }, data, box);
  }
  document.querySelectorAll('script[type="application/json"][data-chart]').forEach(draw);
})();
