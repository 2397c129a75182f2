/* Bar charts of a survey's results. Every number drawn is also in the table
   beside the chart; without JavaScript (or ECharts) the tables remain. */
(function () {
  "use strict";
  var node = document.getElementById("survey-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var printing = window.matchMedia && window.matchMedia("print").matches;
  function bars(id, labels, counts) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.style.height = Math.max(120, labels.length * 34 + 40) + "px";
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: !printing,
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: labels,
               axisLabel: { width: 140, overflow: "truncate" } },
      series: [{ type: "bar", data: counts, itemStyle: { color: "#b42318" }, barMaxWidth: 24,
                 label: { show: true, position: "right" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  data.questions.forEach(function (q) { bars("chart-" + q.id, q.labels, q.counts); });
  if (data.scores && data.scores.labels.length) {
    bars("chart-scores", data.scores.labels, data.scores.counts);
  }
})();
