// Management dashboard: draws each chart spec (json_script "chart-specs") with ECharts.
// Values arrive as decimal strings; they are parsed to numbers only to draw. Clicking a bar that
// carries a drill target (region / project / building) opens that level. Each chart can be saved as PNG
// (toolbox saveAsImage); its data downloads as Excel from the link in its heading.
(function () {
  "use strict";
  function num(v) { return v === null || v === undefined ? null : Number(v); }

  // Presentation only: a "ratio" value is a fraction (0.8734) shown as a percentage (87.3%); amounts are
  // yuan, shown in 万元 on axes and to the fen in tooltips; days with one place. The data stay as sent.
  const UNITS = {
    ratio: { axis: (v) => `${+(v * 100).toFixed(1)}%`, full: (v) => `${(v * 100).toFixed(2)}%`, name: "%" },
    yuan: {
      axis: (v) => (Math.abs(v) >= 10000 ? `${(v / 10000).toLocaleString("zh-CN", { maximumFractionDigits: 2 })}万`
        : v.toLocaleString("zh-CN", { maximumFractionDigits: 2 })),
      full: (v) => `${v.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} 元`,
      name: "元",
    },
    days: { axis: (v) => `${+v.toFixed(1)}`, full: (v) => `${v.toFixed(1)} 天`, name: "天" },
  };
  function unitOf(spec) { return UNITS[spec.unit] || UNITS.yuan; }
  function full(spec) {
    const unit = unitOf(spec);
    return (v) => (v === null || v === undefined || Number.isNaN(Number(v)) ? "—" : unit.full(Number(v)));
  }

  function option(spec) {
    const unit = unitOf(spec);
    const base = {
      tooltip: { trigger: spec.kind === "pie" ? "item" : "axis", valueFormatter: full(spec) },
      toolbox: { feature: { saveAsImage: { title: "PNG", name: spec.id } } },
      legend: { top: 0, left: "center" },
      grid: { left: 60, right: 24, top: 44, bottom: 48 },
    };
    if (!spec.categories.length) {
      base.title = { text: "暂无数据", left: "center", top: "middle", textStyle: { color: "#999", fontSize: 14 } };
    }
    if (spec.kind === "pie") {
      base.series = [{ type: "pie", radius: ["30%", "62%"], name: spec.series[0].name,
        label: { formatter: spec.unit === "ratio" ? (p) => `${p.name} ${unit.axis(p.value)}` : "{b} {d}%" },
        data: spec.categories.map((c, i) => ({ name: c, value: num(spec.series[0].values[i]) })) }];
      return base;
    }
    base.xAxis = { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 6 ? 30 : 0 } };
    base.yAxis = { type: "value", name: unit.name, axisLabel: { formatter: unit.axis } };
    base.series = spec.series.map((s) => ({ name: s.name, type: spec.kind === "line" ? "line" : "bar",
      data: s.values.map(num), cursor: spec.drill.length ? "pointer" : "default",
      label: { show: spec.kind === "bar" && spec.unit !== "yuan", position: "top",
        formatter: (p) => (p.value === null || p.value === undefined ? "" : unit.axis(p.value)) } }));
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
      el.dataset.unit = spec.unit;
      el.dataset.rendered = String(spec.series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0));
      drawn.push(chart);
    });
    window.addEventListener("resize", () => drawn.forEach((c) => c.resize()));
    document.body.dataset.chartsReady = "1";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
