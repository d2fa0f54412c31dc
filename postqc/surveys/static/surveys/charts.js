// Survey report charts: every <div data-chart="kind" data-source="id"> gets an ECharts chart
// configured from the JSON the page embeds (<script type="application/json" id="id">, Django's
// json_script), so no inline script is needed. Kinds: years (index by year against target),
// bars (a figure per category with its 95% interval; horizontal for the unit ranking) and
// quadrant (the 四分图: importance against performance, split at the means).
// SVG rendering keeps the charts sharp on paper; they are resized for printing.
(function () {
  "use strict";

  var GREEN = "#0a7a3e", MUTED = "#b7c0c7", RED = "#d93025", INK = "#1f2328", INK2 = "#57606a", BLUE = "#1f5fbf";
  var charts = [];

  function fmt(v, places) {
    return v === null || v === undefined ? "—" : Number(v).toFixed(places === undefined ? 1 : places);
  }

  // values are [value, low, high, n]
  function tip(texts, label, v) {
    return label + "<br>" + texts.index + " <b>" + fmt(v[0]) + "</b><br>" +
      texts.ci + " " + fmt(v[1]) + "–" + fmt(v[2]) + "<br>" + texts.n + " " + v[3];
  }

  function axisFloor(values, extra) {
    var lows = [];
    values.forEach(function (v) { if (v[1] !== null) lows.push(v[1]); else if (v[0] !== null) lows.push(v[0]); });
    (extra || []).forEach(function (x) { if (x !== null && x !== undefined) lows.push(x); });
    if (!lows.length) return 0;
    return Math.max(0, Math.floor((Math.min.apply(null, lows) - 5) / 10) * 10);
  }

  // A custom series drawing an interval (whiskers) per category.
  function errorBars(values, horizontal) {
    return {
      type: "custom", name: "ci", silent: true, z: 10,
      data: values.map(function (v, i) { return [i, v[1], v[2]]; }).filter(function (d) { return d[1] !== null; }),
      encode: horizontal ? { y: 0, x: [1, 2] } : { x: 0, y: [1, 2] },
      renderItem: function (params, api) {
        var i = api.value(0), lo, hi, half, style = { stroke: INK, lineWidth: 1.4 };
        if (horizontal) {
          lo = api.coord([api.value(1), i]); hi = api.coord([api.value(2), i]);
          half = Math.min(api.size([0, 1])[1] * 0.18, 8);
          return { type: "group", children: [
            { type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: style },
            { type: "line", shape: { x1: lo[0], y1: lo[1] - half, x2: lo[0], y2: lo[1] + half }, style: style },
            { type: "line", shape: { x1: hi[0], y1: hi[1] - half, x2: hi[0], y2: hi[1] + half }, style: style }] };
        }
        lo = api.coord([i, api.value(1)]); hi = api.coord([i, api.value(2)]);
        half = Math.min(api.size([1, 0])[0] * 0.12, 12);
        return { type: "group", children: [
          { type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: style },
          { type: "line", shape: { x1: lo[0] - half, y1: lo[1], x2: lo[0] + half, y2: lo[1] }, style: style },
          { type: "line", shape: { x1: hi[0] - half, y1: hi[1], x2: hi[0] + half, y2: hi[1] }, style: style }] };
      }
    };
  }

  function axisCeiling(values, extra) {
    var highs = [];
    values.forEach(function (v) { if (v[2] !== null) highs.push(v[2]); else if (v[0] !== null) highs.push(v[0]); });
    (extra || []).forEach(function (x) { if (x !== null && x !== undefined) highs.push(x); });
    if (!highs.length) return 100;
    return Math.min(100, Math.ceil((Math.max.apply(null, highs) + 1) / 5) * 5);
  }

  var builders = {
    years: function (d) {
      var t = d.texts, hasTarget = d.targets.some(function (x) { return x !== null; });
      var series = [
        { type: "bar", name: t.index, barMaxWidth: 56, itemStyle: { color: GREEN },
          label: { show: true, position: "insideBottom", color: "#fff", formatter: function (p) { return fmt(p.value); } },
          data: d.values.map(function (v) { return v[0]; }) },
        errorBars(d.values, false)
      ];
      if (hasTarget) {
        series.push({ type: "line", name: t.target, step: "middle", symbol: "diamond", symbolSize: 10, data: d.targets,
                      lineStyle: { color: RED, type: "dashed", width: 2 }, itemStyle: { color: RED },
                      label: { show: true, position: "top", color: RED, formatter: function (p) { return fmt(p.value, 2); } } });
      }
      return {
        grid: { left: 48, right: 24, top: 36, bottom: 32 },
        legend: { top: 0, data: hasTarget ? [t.index, t.target] : [t.index] },
        tooltip: { trigger: "axis", formatter: function (ps) {
          var i = ps[0].dataIndex, text = tip(t, d.labels[i], d.values[i]);
          if (d.targets[i] !== null) text += "<br>" + t.target + " " + fmt(d.targets[i], 2);
          return text;
        } },
        xAxis: { type: "category", data: d.labels },
        yAxis: { type: "value", min: axisFloor(d.values, d.targets), max: axisCeiling(d.values, d.targets) },
        series: series
      };
    },

    bars: function (d) {
      var t = d.texts, horizontal = !!d.horizontal;
      var bar = {
        type: "bar", name: t.index, barMaxWidth: horizontal ? 18 : 44,
        data: d.values.map(function (v, i) {
          return { value: v[0], itemStyle: { color: d.muted && d.muted[i] ? MUTED : GREEN } };
        }),
        markLine: { silent: true, symbol: "none", data: [] }
      };
      if (d.reference !== null && d.reference !== undefined) {
        bar.markLine.data.push(horizontal ? { xAxis: d.reference } : { yAxis: d.reference });
        bar.markLine.lineStyle = { color: BLUE, type: "dashed" };
        bar.markLine.label = { formatter: t.index + " " + fmt(d.reference), color: BLUE,
                               position: horizontal ? "start" : "insideEndTop" };
      }
      if (d.target !== null && d.target !== undefined) {
        var target = { name: "target", lineStyle: { color: RED, type: "dashed" },
                       label: { formatter: t.target + " " + fmt(d.target, 2), color: RED,
                                position: horizontal ? "end" : "insideEndTop" } };
        target[horizontal ? "xAxis" : "yAxis"] = d.target;
        bar.markLine.data.push(target);
      }
      var valueAxis = { type: "value", min: axisFloor(d.values, [d.target]), max: axisCeiling(d.values, [d.target]) };
      var categoryAxis = { type: "category", data: d.labels, inverse: horizontal,
                           axisLabel: { interval: 0, color: INK, formatter: function (label) {
                             var i = d.labels.indexOf(label);
                             return d.muted && d.muted[i] ? label + "\n" + t.unranked : label;
                           } } };
      return {
        grid: { left: horizontal ? 110 : 48, right: 40, top: horizontal ? 36 : 24, bottom: horizontal ? 24 : 48 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (ps) {
          var i = ps[0].dataIndex, text = tip(t, d.labels[i], d.values[i]);
          return d.muted && d.muted[i] ? text + "<br>" + t.unranked : text;
        } },
        xAxis: horizontal ? valueAxis : categoryAxis,
        yAxis: horizontal ? categoryAxis : valueAxis,
        series: [bar, errorBars(d.values, horizontal)]
      };
    },

    quadrant: function (d) {
      var t = d.texts;
      var marks = [];
      if (d.xMean !== null) marks.push({ xAxis: d.xMean });
      if (d.yMean !== null) marks.push({ yAxis: d.yMean });
      return {
        grid: { left: 56, right: 110, top: 24, bottom: 48 },
        tooltip: { formatter: function (p) {
          return p.data.name + "<br>" + t.importance + " " + fmt(p.data.value[0], 3) + "<br>" + t.performance + " " + fmt(p.data.value[1]);
        } },
        xAxis: { type: "value", name: t.importance, nameLocation: "middle", nameGap: 28, scale: true,
                 axisLine: { onZero: false }, axisLabel: { formatter: function (v) { return fmt(v, 2); } } },
        yAxis: { type: "value", name: t.performance, nameLocation: "middle", nameGap: 40, scale: true,
                 axisLine: { onZero: false } },
        series: [{
          type: "scatter", symbolSize: 14, itemStyle: { color: GREEN },
          label: { show: true, position: "right", color: INK, formatter: function (p) { return p.data.name; } },
          data: d.points.map(function (p) {
            // A label that would run over a neighbour to its right goes on the left instead.
            var xs = d.points.map(function (q) { return q.x; }), ys = d.points.map(function (q) { return q.y; });
            var dx = (Math.max.apply(null, xs) - Math.min.apply(null, xs)) || 1;
            var dy = (Math.max.apply(null, ys) - Math.min.apply(null, ys)) || 1;
            var crowded = d.points.some(function (q) {
              return q !== p && q.x > p.x && q.x - p.x < 0.3 * dx && Math.abs(q.y - p.y) < 0.08 * dy;
            });
            return { name: p.name, value: [p.x, p.y], label: { position: crowded ? "left" : "right" } };
          }),
          markLine: { silent: true, symbol: "none", lineStyle: { color: INK2, type: "dashed" }, label: { show: false },
                      data: marks }
        }]
      };
    }
  };

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    var build = builders[el.getAttribute("data-chart")];
    if (!source || !build || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    // A ranking is as tall as its rows need (CSSOM, which the CSP allows, unlike style attributes).
    if (data.horizontal) el.style.height = Math.max(180, 40 * data.labels.length + 70) + "px";
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var option = build(data);
    option.animation = false;
    option.textStyle = { fontFamily: getComputedStyle(document.body).fontFamily };
    chart.setOption(option);
    charts.push(chart);
  }

  function resizeAll() { charts.forEach(function (c) { c.resize(); }); }

  document.addEventListener("DOMContentLoaded", function () {
    var els = document.querySelectorAll("[data-chart]");
    for (var i = 0; i < els.length; i++) draw(els[i]);
  });
  window.addEventListener("resize", resizeAll);
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  if (window.matchMedia) {
    var mq = window.matchMedia("print");
    if (mq.addEventListener) mq.addEventListener("change", resizeAll);
  }
})();
