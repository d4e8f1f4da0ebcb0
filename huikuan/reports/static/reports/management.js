// Management dashboard: draws each chart spec (json_script "chart-specs") with ECharts.
// Values arrive as decimal strings; they are parsed to numbers only to draw. Clicking a bar that
// carries a drill target (region / project / building) opens that level. Each chart can be saved as PNG
// (toolbox saveAsImage); its data downloads as Excel from the link in its heading.
(function () {
  "use strict";
  function num(v) { return v === null || v === undefined ? null : Number(v); }

  function option(spec) {
    const base = {
      tooltip: { trigger: spec.kind === "pie" ? "item" : "axis" },
      toolbox: { feature: { saveAsImage: { title: "PNG", name: spec.id } } },
      legend: { top: 0, left: 0 },
      grid: { left: 60, right: 24, top: 36, bottom: 48 },
    };
    if (spec.kind === "pie") {
      base.series = [{ type: "pie", radius: ["30%", "62%"], name: spec.series[0].name,
        data: spec.categories.map((c, i) => ({ name: c, value: num(spec.series[0].values[i]) })) }];
      return base;
    }
    base.xAxis = { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 6 ? 30 : 0 } };
    base.yAxis = { type: "value" };
    base.series = spec.series.map((s) => ({ name: s.name, type: spec.kind === "line" ? "line" : "bar",
      data: s.values.map(num), cursor: spec.drill.length ? "pointer" : "default" }));
    return base;
  }

  function drillTo(target) {
    const params = new URLSearchParams(window.location.search);
    const keep = params.get("period");
    const next = new URLSearchParams();
    if (keep) next.set("period", keep);
    Object.entries(target).forEach(([k, v]) => { if (v !== null && v !== undefined) next.set(k, v); });
    window.location.search = next.toString();
  }

  function draw() {
    const node = document.getElementById("chart-specs");
    if (!node || typeof echarts === "undefined") return;
    const specs = JSON.parse(node.textContent);
    const drawn = [];
    specs.forEach((spec) => {
      const el = document.getElementById("chart-" + spec.id);
      if (!el) return;
      const chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(spec));
      if (spec.drill.length) {
        chart.on("click", (event) => { const target = spec.drill[event.dataIndex]; if (target) drillTo(target); });
      }
      el.dataset.rendered = String(spec.series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0));
      drawn.push(chart);
    });
    window.addEventListener("resize", () => drawn.forEach((c) => c.resize()));
    document.body.dataset.chartsReady = "1";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
