// curves.js — loss and accuracy per epoch of every run of every loaded trace, overlaid; the
// validation curves when epoch events carry val_loss / val_accuracy; the loss per update and the
// learning rate when it changes. lineChart() is a small SVG line chart with its legend beside the
// plot, never over a curve.
"use strict";
var GB = window.GB || (window.GB = {});

GB.COLORS = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563", "#65a30d", "#9333ea"];

// Ticks at 1, 2 or 5 × 10^k covering [lo, hi].
GB.ticks = function (lo, hi, count) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / (count || 5);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
};

// series: [{name, color, dashed, points: [[x, y], …]}]; log: a log-scaled y axis (y > 0 only).
GB.lineChart = function ({title, xLabel, yLabel, series, log, width, height}) {
  const W = width || 640, H = height || 300, L = 64, R = 16, T = 28, B = 44;
  const box = GB.el("div", {class: "chart"});
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => typeof y === "number" && isFinite(y) && (!log || y > 0));
  if (!pts.length) return null;
  const fy = log ? (y) => Math.log10(y) : (y) => y;
  let x0 = Math.min(...pts.map((p) => p[0])), x1 = Math.max(...pts.map((p) => p[0]));
  let y0 = Math.min(...pts.map((p) => fy(p[1]))), y1 = Math.max(...pts.map((p) => fy(p[1])));
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { y0 -= log ? 1 : Math.abs(y0) * 0.1 || 1; y1 += log ? 1 : Math.abs(y1) * 0.1 || 1; }
  const pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
  const sx = (x) => L + (x - x0) / (x1 - x0) * (W - L - R);
  const sy = (y) => T + (1 - (fy(y) - y0) / (y1 - y0)) * (H - T - B);
  const svgEl = GB.svg("svg", {width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: "plot"});
  svgEl.append(GB.svg("text", {x: L, y: 16, class: "plot-title", text: title}));
  svgEl.append(GB.svg("rect", {x: L, y: T, width: W - L - R, height: H - T - B, class: "frame"}));
  for (const t of GB.ticks(x0, x1, 6)) {
    if (t < x0 || t > x1) continue;
    svgEl.append(GB.svg("line", {x1: sx(t), x2: sx(t), y1: H - B, y2: H - B + 4, class: "tick"}));
    svgEl.append(GB.svg("text", {x: sx(t), y: H - B + 16, class: "tick-label", "text-anchor": "middle", text: GB.num(t, 4)}));
  }
  const yt = log ? GB.ticks(Math.ceil(y0), Math.floor(y1), 5).filter(Number.isInteger).map((e) => Math.pow(10, e)) : GB.ticks(y0, y1, 5);
  for (const t of yt) {
    if (fy(t) < y0 || fy(t) > y1) continue;
    svgEl.append(GB.svg("line", {x1: L, x2: W - R, y1: sy(t), y2: sy(t), class: "grid-line"}));
    svgEl.append(GB.svg("text", {x: L - 6, y: sy(t) + 4, class: "tick-label", "text-anchor": "end", text: GB.num(t, 4)}));
  }
  svgEl.append(GB.svg("text", {x: (L + W - R) / 2, y: H - 6, class: "axis-label", "text-anchor": "middle", text: xLabel}));
  svgEl.append(GB.svg("text", {x: 14, y: (T + H - B) / 2, class: "axis-label", "text-anchor": "middle",
                               transform: `rotate(-90 14 ${(T + H - B) / 2})`, text: yLabel + (log ? " (log scale)" : "")}));
  for (const s of series) {
    const p = s.points.filter(([, y]) => typeof y === "number" && isFinite(y) && (!log || y > 0));
    if (!p.length) continue;
    const d = p.map(([x, y], k) => `${k ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join("");
    svgEl.append(GB.svg("path", {d, class: "series", stroke: s.color, "stroke-dasharray": s.dashed ? "6 4" : null}));
    if (p.length <= 40) for (const [x, y] of p) svgEl.append(GB.svg("circle", {cx: sx(x), cy: sy(y), r: 2.5, fill: s.color}));
  }
  box.append(svgEl);
  const legend = GB.el("div", {class: "chart-legend"});
  for (const s of series) legend.append(GB.el("span", {class: "key"},
    GB.el("span", {class: "swatch" + (s.dashed ? " dashed" : ""), style: `border-color: ${s.color}`}), s.name));
  box.append(legend);
  return box;
};

// Every training run of every trace: {name, epochs: [event], steps: [event]}. A run is named by
// its events' "run" field, or by the event that opened it (delta_run, depth_run, output_run: its
// first few fields); an epoch that does not follow the one before starts a new run too.
GB.runsOf = function (traces) {
  const out = [];
  traces.forEach((t) => {
    const marks = [...t.openers.map((o) => ({...o, type: "opener"})), ...t.epochs.map((o) => ({...o, type: "epochs"})),
                   ...t.steps.map((o) => ({...o, type: "steps"}))].sort((a, b) => a.index - b.index);
    const runs = new Map();
    let opener = "", part = 0;
    const last = new Map();  // per run: the last epoch and step seen
    for (const {type, event} of marks) {
      if (type === "opener") {
        const label = event.run || Object.entries(event).filter(([k, v]) => k !== "event" && typeof v !== "object").slice(0, 3)
          .map(([, v]) => v).join(", ");
        opener = label;
        part = 0;
        continue;
      }
      const base = event.run || opener;
      // Epochs and steps only grow within a run: one that does not starts the next run.
      const field = type === "epochs" ? "epoch" : "step";
      const seen = last.get(base + "#" + part) || {};
      if (seen[field] !== undefined && event[field] <= seen[field]) {
        part++;
        last.set(base + "#" + part, {[field]: event[field]});
      } else last.set(base + "#" + part, {...seen, [field]: event[field]});
      const key = base + "#" + part;
      if (!runs.has(key)) runs.set(key, {trace: t, run: event.run || "", label: base + (part ? ` (${part + 1})` : ""), epochs: [], steps: []});
      runs.get(key)[type].push(event);
    }
    for (const r of runs.values()) {
      r.name = t.name + (r.label ? " · " + r.label : "");
      out.push(r);
    }
  });
  return out;
};

GB.Curves = class Curves {
  constructor(root) {
    this.root = root;
    this.hidden = new Set();
    root.querySelector("#curves-log").addEventListener("change", () => this.draw());
  }

  setTraces(traces) {
    this.traces = traces;
    this.runs = GB.runsOf(traces);
    const picker = GB.clear(this.root.querySelector("#curves-runs"));
    this.runs.forEach((r, k) => {
      r.color = GB.COLORS[k % GB.COLORS.length];
      const box = GB.el("input", {type: "checkbox", checked: !this.hidden.has(r.name)});
      box.addEventListener("change", () => { box.checked ? this.hidden.delete(r.name) : this.hidden.add(r.name); this.draw(); });
      picker.append(GB.el("label", {class: "key"}, box, GB.el("span", {class: "swatch", style: `border-color: ${r.color}`}),
        `${r.name} (${r.epochs.length} epochs${r.steps.length ? ", " + r.steps.length + " steps" : ""})`));
    });
    // Losses that span more than four decades (a run that diverged) are read on a log scale.
    const losses = this.runs.flatMap((r) => r.epochs.map((e) => e.loss)).filter((x) => typeof x === "number" && x > 0);
    if (losses.length && Math.max(...losses) / Math.min(...losses) > 1e4) this.root.querySelector("#curves-log").checked = true;
    this.draw();
  }

  draw() {
    const host = GB.clear(this.root.querySelector("#curves-plots"));
    const log = this.root.querySelector("#curves-log").checked;
    const runs = this.runs.filter((r) => !this.hidden.has(r.name));
    if (!this.runs.length) {
      host.append(GB.el("p", {class: "muted"}, "No epoch or step events in the loaded traces: no curves to draw."));
      return;
    }
    const series = (key, list, field, dashed, suffix) => runs.filter((r) => r[list].some((e) => e[field] !== undefined)).map((r) => ({
      name: r.name + (suffix || ""), color: r.color, dashed,
      points: r[list].filter((e) => e[field] !== undefined).map((e) => [e[key], e[field]])}));
    const charts = [
      {title: "Loss per epoch (whole training set; dashed: validation)", xLabel: "epoch", yLabel: "loss", log,
       series: [...series("epoch", "epochs", "loss"), ...series("epoch", "epochs", "val_loss", true, " (validation)")]},
      {title: "Accuracy per epoch (dashed: validation)", xLabel: "epoch", yLabel: "accuracy",
       series: [...series("epoch", "epochs", "accuracy"), ...series("epoch", "epochs", "val_accuracy", true, " (validation)")]},
      {title: "Loss per update (the batch's, before the update)", xLabel: "step", yLabel: "loss", log,
       series: series("step", "steps", "loss")},
    ];
    // The learning rate, drawn only where it changes during a run; a constant one is stated.
    const lr = [...series("step", "steps", "learning_rate"), ...series("epoch", "epochs", "learning_rate")];
    const changing = lr.filter((s) => new Set(s.points.map((p) => p[1])).size > 1);
    if (changing.length) charts.push({title: "Learning rate η", xLabel: "step or epoch", yLabel: "η", series: changing});
    for (const c of charts) {
      const chart = GB.lineChart(c);
      if (chart) host.append(chart);
    }
    const constant = lr.filter((s) => !changing.includes(s) && s.points.length);
    if (constant.length)
      host.append(GB.el("p", {class: "muted"}, "Learning rate constant: " + constant.map((s) => `${s.name} η = ${GB.num(s.points[0][1])}`).join("; ")));
  }
};
