/* The dashboard's charts. Every number drawn here is also in the table
   beside the chart; without JavaScript (or ECharts) the tables remain. */
(function () {
  "use strict";
  var node = document.getElementById("dashboard-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var target = Number(data.target);
  var charts = [];
  var BRAND = "#b42318", TARGET = "#137333";
  var printing = window.matchMedia && window.matchMedia("print").matches;

  function num(value) { return value === null || value === undefined || value === "" ? null : Number(value); }

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    option.animation = !printing;
    chart.setOption(option);
    charts.push(chart);
  }

  function targetLine() {
    return { silent: true, symbol: "none", lineStyle: { color: TARGET, type: "dashed", width: 2 },
             label: { formatter: data.labels.target + " " + target + "%", color: TARGET },
             data: [{ yAxis: target }] };
  }

  if (data.communities && data.communities.length) {
    var names = data.communities.map(function (c) { return c.name; });
    draw("chart-communities", {
      grid: { left: 48, right: 72, top: 32, bottom: 80 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v.toFixed(2) + "%"; } },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{
        name: data.labels.rate, type: "bar", barMaxWidth: 48,
        data: data.communities.map(function (c) {
          var v = num(c.rate);
          return { value: v, itemStyle: { color: v !== null && v < target ? BRAND : TARGET } };
        }),
        label: { show: true, position: "top", formatter: function (p) { return p.value === null ? "" : p.value.toFixed(2) + "%"; } },
        markLine: targetLine()
      }]
    });
  }

  if (data.trend && data.trend.quarters.length) {
    // The first series is the page's own scope (the street, or the
    // community on its page): drawn bold; the others thin for comparison.
    var series = data.trend.series.map(function (s, i) {
      var street = i === 0;
      return {
        name: s.name, type: "line", connectNulls: false, symbolSize: street ? 9 : 5,
        lineStyle: { width: street ? 4 : 1.5, opacity: street ? 1 : 0.75 },
        itemStyle: street ? { color: BRAND } : undefined,
        label: { show: street, position: "top", formatter: function (p) { return p.value === null ? "" : p.value.toFixed(2) + "%"; } },
        z: street ? 10 : 2,
        data: s.rates.map(num),
        markLine: i === 0 ? targetLine() : undefined
      };
    });
    draw("chart-trend", {
      // A plain legend wraps onto a second line rather than paging, so that
      // every scope's name is also on paper.
      grid: { left: 48, right: 72, top: 48, bottom: 96 },
      legend: { type: "plain", bottom: 0 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v.toFixed(2) + "%"; } },
      xAxis: { type: "category", data: data.trend.quarters, boundaryGap: false },
      yAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor((Math.min(v.min, target) - 10) / 10) * 10); }, max: 100, axisLabel: { formatter: "{value}%" } },
      series: series
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
