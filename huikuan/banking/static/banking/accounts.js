// Accounts page: what became of each account's money in, as a stacked bar per account. The server sends
// amounts as decimal strings (never floats); they are turned into numbers here only to draw.
(function () {
  "use strict";
  var COLORS = ["#177245", "#1d4f91", "#e0a100", "#c8102e", "#8a8f98"];
  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function draw() {
    var box = document.getElementById("collections-chart");
    var data = read("collections-data");
    if (!box || !data || !data.accounts.length || typeof echarts === "undefined") { return; }
    box.style.height = Math.max(240, 36 * data.accounts.length + 80) + "px";  // a readable bar per account
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      color: COLORS,
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        valueFormatter: function (v) { return v.toLocaleString(undefined, { minimumFractionDigits: 2 }) + " " + data.labels.unit; }
      },
      legend: { top: 0 },
      grid: { left: 8, right: 56, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "value", name: data.labels.unit },
      yAxis: { type: "category", data: data.accounts, inverse: true },
      series: data.parts.map(function (part) {
        return { name: data.labels[part], type: "bar", stack: "money", barMaxWidth: 28,
                 data: data.series[part].map(Number) };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
    box.dataset.rendered = "true";
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
