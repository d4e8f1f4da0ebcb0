// Dashboard bar chart. The server sends amounts as decimal strings (never floats);
// they are parsed here only to draw bars, in units of 10,000 yuan.
(function () {
  "use strict";
  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function toWan(text) { return Math.round(Number(text) / 100) / 100; }
  function draw() {
    var box = document.getElementById("project-chart");
    var data = read("chart-data");
    var labels = read("chart-labels");
    if (!box || !data || !labels || typeof echarts === "undefined") { return; }
    var chart = echarts.init(box, null, { renderer: "canvas" });
    var keys = ["signed", "collected", "outstanding", "overdue"];
    var colors = ["#1d4f91", "#177245", "#e0a100", "#c8102e"];
    chart.setOption({
      color: colors,
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        valueFormatter: function (v) { return v.toLocaleString(undefined, { minimumFractionDigits: 2 }) + " " + labels.unit; }
      },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.projects, axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: { type: "value", name: labels.unit, nameTextStyle: { align: "left" } },
      series: keys.map(function (key) {
        return { name: labels[key], type: "bar", barMaxWidth: 28, data: data[key].map(toWan) };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
    box.dataset.rendered = "true";
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
