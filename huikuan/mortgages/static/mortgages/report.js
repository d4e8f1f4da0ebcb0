// Mortgage report charts. The server sends counts and days as decimal strings (never floats);
// they are turned into numbers here only to draw.
(function () {
  "use strict";
  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function num(text) { return text === null ? null : Number(text); }
  function chartIn(id) {
    var box = document.getElementById(id);
    if (!box || typeof echarts === "undefined") { return null; }
    var chart = echarts.init(box, null, { renderer: "canvas" });
    window.addEventListener("resize", function () { chart.resize(); });
    box.dataset.rendered = "true";
    return chart;
  }
  function draw() {
    var funnel = read("funnel-data"), speed = read("speed-data");
    var f = funnel && chartIn("funnel-chart");
    if (f) {
      f.setOption({
        tooltip: { trigger: "item" },
        series: [{ type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "8%",
          label: { show: true, position: "inside", formatter: "{b}: {c}" },
          data: funnel.stages.map(function (name, i) { return { name: name, value: num(funnel.counts[i]) }; }) }]
      });
    }
    var s = speed && chartIn("speed-chart");
    if (s) {
      s.setOption({
        color: ["#1d4f91", "#c8102e"], tooltip: { trigger: "axis" }, legend: { top: 0 },
        grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: speed.banks },
        yAxis: { type: "value" },
        series: [
          { name: speed.labels.avg, type: "bar", barMaxWidth: 28, data: speed.avg.map(num) },
          { name: speed.labels.p90, type: "bar", barMaxWidth: 28, data: speed.p90.map(num) }
        ]
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
