// network.js — the network of one update, drawn, and the formula of a unit or an edge with that
// update's numbers filled in.
//
// loadStep() gathers the events the trace recorded for one update (forward and backward per stage,
// step, update per parameter, parameters) into a StepContext. drawNetwork() draws it: a column of
// units per layer output, an edge per weight with its width ∝ |w| and its colour by sign (blue +,
// red −); units are filled by their activation a of the chosen sample. describeUnit() and
// describeEdge() write z, a, δ, dL/dW and the update as the lessons do (δ = ∂L/∂z, the trace's dL_dz).
"use strict";
var GB = window.GB || (window.GB = {});

GB.loadStep = async function (trace, run, step) {
  const indices = trace.stepEvents(run, step);
  const events = await trace.events(indices);
  const ctx = {trace, run, step, epoch: null, stages: [], params: new Map(), stepEvent: null, parameters: null};
  const byLayer = new Map();
  const stageAt = (layer) => {
    if (!byLayer.has(layer)) byLayer.set(layer, {layer, forward: null, backward: null});
    return byLayer.get(layer);
  };
  for (const ev of events) {
    if (ev.epoch !== undefined) ctx.epoch = ev.epoch;
    if (ev.event === "forward") stageAt(ev.layer).forward = ev;
    else if (ev.event === "backward") stageAt(ev.layer).backward = ev;
    else if (ev.event === "update") ctx.params.set(ev.parameter, ev);
    else if (ev.event === "step") ctx.stepEvent = ev;
    else if (ev.event === "parameters") ctx.parameters = ev.values || null;
  }
  ctx.stages = [...byLayer.values()].sort((a, b) => a.layer - b.layer);
  for (const st of ctx.stages) {
    st.name = (st.forward || st.backward).stage || "";
    st.activation = GB.activationOf(st.name);
    const f = st.forward || {}, b = st.backward || {};
    st.input = f.input;
    st.z = f.z;
    st.a = f.a;
    st.inWidth = GB.isMatrix(f.input) ? f.input[0].length : GB.isMatrix(b.dL_dW) ? b.dL_dW[0].length : 0;
    const out = f.a || f.z || b.dL_dz || b.dL_da;
    st.outWidth = GB.isMatrix(out) ? out[0].length : 0;
    st.W = GB.weights(ctx, GB.paramName(st.layer, "W"));
    st.b = GB.weights(ctx, GB.paramName(st.layer, "b"));
  }
  ctx.batch = ctx.stages.length && GB.isMatrix(ctx.stages[0].input) ? ctx.stages[0].input.length
            : ctx.stepEvent ? ctx.stepEvent.batch_size : 1;
  return ctx;
};

// A parameter before and after the update: `before` from a parameters event when the trace has
// one, else after − update (exact up to one rounding); `after` is the update event's <name>_after.
GB.weights = function (ctx, name) {
  const up = ctx.params.get(name);
  const short = name.slice(name.lastIndexOf(".") + 1);
  const after = up ? up[short + "_after"] : undefined;
  let before = ctx.parameters ? ctx.parameters[name] : undefined, derived = false;
  if (!before && GB.isMatrix(after) && GB.isMatrix(up.update)) {
    before = after.map((row, r) => row.map((x, c) => (typeof x === "number" ? x - up.update[r][c] : x)));
    derived = true;
  }
  return before || after ? {name, before, after, update: up ? up.update : undefined, event: up, derived} : null;
};

GB.MAX_UNITS = 14;  // units drawn per column; the rest are counted

// Draws ctx into `host`. selection: {type: "unit", col, j} or {type: "edge", stage, j, i}.
// current: the record being shown ({kind, layer} or {kind: "update", parameter}), drawn in front.
GB.drawNetwork = function (host, ctx, opts) {
  GB.clear(host);
  if (!ctx.stages.length) {
    host.append(GB.el("p", {class: "muted"}, "No forward or backward events at this step: nothing to draw."));
    return;
  }
  const s = Math.min(opts.sample || 0, Math.max(0, ctx.batch - 1));
  const widths = [ctx.stages[0].inWidth, ...ctx.stages.map((st) => st.outWidth)];
  const shown = widths.map((w) => Math.min(w, GB.MAX_UNITS));
  const r = 17, gapY = 50, gapX = 190, top = 58;
  const W = Math.max(560, 120 + gapX * (widths.length - 1) + 50);
  const H = top + gapY * (Math.max(...shown) - 1) + 6 + r + 24;  // room under the last unit for "+N more"
  const svgEl = GB.svg("svg", {width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: "network", role: "img"});
  const x = (col) => 80 + col * gapX;
  const y = (col, j) => top + gapY * j + (gapY * (Math.max(...shown) - shown[col])) / 2 + 6;
  const currentLayer = opts.current && opts.current.layer;
  const currentParam = opts.current && opts.current.parameter;

  // Edges first, under the units.
  const edges = GB.svg("g", {class: "edges"});
  ctx.stages.forEach((st, k) => {
    const Wm = st.W && (st.W.before || st.W.after);
    let maxAbs = 0;
    if (GB.isMatrix(Wm)) for (const row of Wm) for (const w of row) if (typeof w === "number") maxAbs = Math.max(maxAbs, Math.abs(w));
    const active = currentLayer === st.layer || currentParam === GB.paramName(st.layer, "W");
    for (let j = 0; j < shown[k + 1]; j++) for (let i = 0; i < shown[k]; i++) {
      if (!GB.isMatrix(Wm) && st.z === undefined && i !== j) continue;  // an activation alone: one to one
      const w = GB.at(Wm, j, i);
      const width = typeof w === "number" && maxAbs > 0 ? 0.6 + 6 * Math.abs(w) / maxAbs : 1;
      const cls = ["edge", typeof w !== "number" ? "unknown" : w >= 0 ? "pos" : "neg", active ? "active" : ""];
      const sel = opts.selection && opts.selection.type === "edge" && opts.selection.stage === k &&
                  opts.selection.j === j && opts.selection.i === i;
      if (sel) cls.push("selected");
      const line = GB.svg("line", {x1: x(k) + r, y1: y(k, i), x2: x(k + 1) - r, y2: y(k + 1, j),
        "stroke-width": width.toFixed(2), class: cls.join(" "), "data-edge": `${st.layer}:${j}:${i}`});
      line.append(GB.svg("title", {text: `${GB.paramName(st.layer, "W")}(${j}, ${i}) = ${typeof w === "number" ? GB.num(w) : "not recorded"}`}));
      line.addEventListener("click", () => opts.onSelect({type: "edge", stage: k, j, i}));
      edges.append(line);
      // A wide invisible line on top, so a thin edge is easy to click.
      const hit = GB.svg("line", {x1: x(k) + r, y1: y(k, i), x2: x(k + 1) - r, y2: y(k + 1, j), class: "edge-hit"});
      hit.addEventListener("click", () => opts.onSelect({type: "edge", stage: k, j, i}));
      edges.append(hit);
    }
  });
  svgEl.append(edges);

  // Units: column 0 is the input, column k+1 is stage k's output.
  widths.forEach((width, col) => {
    const st = col > 0 ? ctx.stages[col - 1] : null;
    const values = col === 0 ? ctx.stages[0].input : st.a || st.z;
    const title = col === 0 ? "input x" : `layers[${st.layer}]`;
    const sub = col === 0 ? `${width} input${width === 1 ? "" : "s"}` : st.name;
    const active = st && currentLayer === st.layer;
    svgEl.append(GB.svg("text", {x: x(col), y: 18, class: "col-title" + (active ? " active" : ""), text: title}));
    svgEl.append(GB.svg("text", {x: x(col), y: 34, class: "col-sub", text: sub}));
    let maxAbs = 0;
    for (let j = 0; j < shown[col]; j++) { const v = GB.at(values, s, j); if (typeof v === "number") maxAbs = Math.max(maxAbs, Math.abs(v)); }
    for (let j = 0; j < shown[col]; j++) {
      const v = GB.at(values, s, j);
      const t = typeof v === "number" && maxAbs > 0 ? Math.abs(v) / Math.max(1, maxAbs) : 0;
      const fill = typeof v !== "number" ? "#eee" : v >= 0 ? `rgba(37, 99, 235, ${0.12 + 0.55 * t})` : `rgba(220, 38, 38, ${0.12 + 0.55 * t})`;
      const sel = opts.selection && opts.selection.type === "unit" && opts.selection.col === col && opts.selection.j === j;
      const g = GB.svg("g", {class: "unit" + (sel ? " selected" : "") + (active ? " active" : ""), "data-unit": `${col}:${j}`});
      g.append(GB.svg("circle", {cx: x(col), cy: y(col, j), r, fill}));
      g.append(GB.svg("text", {x: x(col), y: y(col, j) + 4, class: "unit-index", text: col === 0 ? `x${j}` : String(j)}));
      // The value beside the unit, on the side no edge leaves from: left of an input, above right of the others.
      if (typeof v === "number")
        g.append(col === 0 ? GB.svg("text", {x: x(col) - r - 5, y: y(col, j) + 4, class: "unit-value", "text-anchor": "end", text: GB.num(v, 3)})
                           : GB.svg("text", {x: x(col) + r + 4, y: y(col, j) - r + 2, class: "unit-value", text: GB.num(v, 3)}));
      g.append(GB.svg("title", {text: col === 0 ? `input ${j}: ${GB.num(v)}` : `unit ${j} of layers[${st.layer}]: a = ${GB.num(v)}`}));
      g.addEventListener("click", () => opts.onSelect({type: "unit", col, j}));
      svgEl.append(g);
    }
    if (width > shown[col])
      svgEl.append(GB.svg("text", {x: x(col), y: y(col, shown[col] - 1) + r + 16, class: "col-sub", text: `+${width - shown[col]} more`}));
  });
  const weighed = ctx.stages.some((st) => st.W);
  host.append(svgEl, GB.el("p", {class: "network-legend muted"},
    (weighed ? "edge width ∝ |w| within each layer (w before this update), blue w ≥ 0, red w < 0"
             : "grey edges: this trace records no weights at this step (no update or parameters events)") +
    `; fill: a of sample ${s} (z where a layer has no activation)`));
};

// ---- formulas -------------------------------------------------------------------------------------

// One line of a formula: text and numbers, each number with its full value in a tooltip.
GB.formula = function (...parts) {
  return GB.el("div", {class: "formula"}, parts.map((p) => (typeof p === "number" || (typeof p === "object" && p && p.n !== undefined)
    ? GB.numEl(typeof p === "number" ? p : p.n) : p)));
};

GB.describeUnit = function (ctx, col, j, sample) {
  const out = GB.el("div", {class: "explain"});
  const s = Math.min(sample || 0, Math.max(0, ctx.batch - 1));
  if (col === 0) {
    const x = GB.at(ctx.stages[0].input, s, j);
    out.append(GB.el("h3", {}, `input x${j}`), GB.formula(`x${j} = `, x, ` (sample ${s} of the batch)`));
    return out;
  }
  const st = ctx.stages[col - 1];
  const b = st.backward || {};
  const head = `unit ${j} of layers[${st.layer}], ${st.name}`;
  out.append(GB.el("h3", {}, head), GB.el("p", {class: "muted"},
    `run ${ctx.run || "(the only one)"}, epoch ${ctx.epoch}, step ${ctx.step}, sample ${s} of ${ctx.batch}`));
  out.append(GB.el("h4", {}, "forward"));
  const z = GB.at(st.z, s, j), a = GB.at(st.a, s, j);
  const Wb = st.W && st.W.before, bb = st.b && st.b.before;
  if (z !== undefined) {
    const terms = [];
    if (GB.isMatrix(Wb) && GB.isMatrix(st.input) && st.inWidth <= 8) {
      for (let i = 0; i < st.inWidth; i++) terms.push(i ? " + " : "", GB.at(Wb, j, i), "·", GB.at(st.input, s, i));
      terms.push(" + ", GB.at(bb, 0, j), " = ");
    }
    out.append(GB.formula(`z${j} = Σᵢ W[${j},i]·xᵢ + b${j} = `, ...terms, z));
  }
  if (a !== undefined) out.append(GB.formula(`a${j} = ${st.activation}(z${j}) = `, a));
  if (st.backward) {
    out.append(GB.el("h4", {}, "backward (δ = ∂L/∂z)"));
    const dLda = GB.at(b.dL_da, s, j), dLdz = GB.at(b.dL_dz, s, j);
    if (dLda !== undefined) out.append(GB.formula(`∂L/∂a${j} = `, dLda));
    const g = GB.activationDerivative(st.activation, z, a);
    if (g && dLda !== undefined) out.append(GB.formula(`g′(z${j}) = ${g.how} = `, g.value));
    if (dLdz !== undefined)
      out.append(GB.formula(`δ${j} = ∂L/∂a${j} · g′(z${j}) = `, ...(dLda !== undefined && g ? [dLda, " · ", g.value, " = "] : []), dLdz));
    const db = GB.at(b.dL_db, 0, j);
    if (db !== undefined) out.append(GB.formula(`∂L/∂b${j} = Σ over the batch of δ${j} = `, db));
  }
  const up = ctx.params.get(GB.paramName(st.layer, "b"));
  if (up) {
    out.append(GB.el("h4", {}, "update of b" + j));
    out.append(GB.updateLines(ctx, up, 0, j, `b${j}`, b.dL_db));
  }
  return out;
};

GB.describeEdge = function (ctx, k, j, i, sample) {
  const out = GB.el("div", {class: "explain"});
  const st = ctx.stages[k];
  const s = Math.min(sample || 0, Math.max(0, ctx.batch - 1));
  const name = GB.paramName(st.layer, "W");
  const from = k === 0 ? `input x${i}` : `unit ${i} of layers[${ctx.stages[k - 1].layer}]`;
  out.append(GB.el("h3", {}, `${name}(${j}, ${i}): from ${from} to unit ${j} of layers[${st.layer}]`));
  out.append(GB.el("p", {class: "muted"}, `row = the unit fed, column = the input carried; run ${ctx.run || "(the only one)"}, epoch ${ctx.epoch}, step ${ctx.step}`));
  if (st.W && st.W.before)
    out.append(GB.formula("w = ", GB.at(st.W.before, j, i), st.W.derived ? "  (before the update: w_after − Δw)" : "  (before the update)"));
  const b = st.backward;
  if (b) {
    const delta = GB.at(b.dL_dz, s, j), xin = GB.at(st.input, s, i), grad = GB.at(b.dL_dW, j, i);
    if (ctx.batch === 1 && delta !== undefined && xin !== undefined)
      out.append(GB.formula(`∂L/∂w = δ${j} · a_in${i} = `, delta, " · ", xin, " = ", grad));
    else out.append(GB.formula(`∂L/∂w = Σ over the ${ctx.batch} samples of δ${j} · a_in${i} = `, grad));
  }
  const up = ctx.params.get(name);
  if (up) {
    out.append(GB.el("h4", {}, "update"));
    out.append(GB.updateLines(ctx, up, j, i, "w", b ? b.dL_dW : undefined));
  }
  return out;
};

// The learning rate of an update: the update's or the step's "learning_rate" when the trace has it,
// else the header's optimizer (glassbox run: plain SGD), else — for an update that is Δθ = −η·∂L/∂θ
// with one η for every element, which is plain SGD — that η, marked as read off the numbers.
// An optimizer's state worth showing: plain SGD keeps none and its updates carry "state": {}.
GB.hasState = function (up) {
  return !!up.state && typeof up.state === "object" && Object.keys(up.state).length > 0;
};
// Whether Δθ = −η·∂L/∂θ holds for this update: no optimizer state, and no weight decay in the header's
// optimizer (SGD with weight_decay keeps no state but adds λθ to the gradient).
GB.isPlainStep = function (ctx, up) {
  if (GB.hasState(up)) return false;
  const opt = ctx.trace.header.hyperparameters && ctx.trace.header.hyperparameters.optimizer;
  return !(opt && ((opt.name && opt.name !== "sgd") || opt.weight_decay > 0 || opt.momentum > 0));
};

GB.learningRate = function (ctx, up, grad) {
  if (up.learning_rate !== undefined) return {value: up.learning_rate};
  if (ctx.stepEvent && ctx.stepEvent.learning_rate !== undefined) return {value: ctx.stepEvent.learning_rate};
  const opt = ctx.trace.header.hyperparameters && ctx.trace.header.hyperparameters.optimizer;
  if (opt && opt.name === "sgd" && !opt.momentum && typeof opt.learning_rate === "number") return {value: opt.learning_rate};
  if (GB.hasState(up) || !GB.isMatrix(grad) || !GB.isMatrix(up.update)) return null;
  let eta = null;
  for (let r = 0; r < grad.length; r++) for (let c = 0; c < grad[r].length; c++) {
    const g = grad[r][c], d = up.update[r][c];
    if (typeof g !== "number" || typeof d !== "number") return null;
    if (g === 0) { if (d !== 0) return null; continue; }
    const e = -d / g;
    if (eta === null) eta = e;
    else if (Math.abs(e - eta) > 1e-12 * Math.abs(eta)) return null;
  }
  return eta === null || !(eta > 0) ? null : {value: eta, inferred: true};
};

// Δθ, θ after, the learning rate and the optimizer's state for one element of a parameter.
GB.updateLines = function (ctx, up, r, c, label, gradMatrix) {
  const box = GB.el("div", {});
  const delta = GB.at(up.update, r, c);
  const grad = GB.at(gradMatrix, r, c);
  const short = up.parameter.slice(up.parameter.lastIndexOf(".") + 1);
  const lr = up.frozen ? null : GB.learningRate(ctx, up, gradMatrix);
  if (up.frozen) box.append(GB.formula(`Δ${label} = `, delta, `  (${up.parameter} is frozen: not updated)`));
  else if (lr && GB.isPlainStep(ctx, up) && typeof grad === "number")
    box.append(GB.formula(`Δ${label} = −η · ∂L/∂${label} = −`, lr.value, " · ", grad, " = ", delta,
      lr.inferred ? "  (η read off the update: Δθ = −η·∂L/∂θ for every element)" : ""));
  else box.append(GB.formula(`Δ${label} = `, delta));
  const after = GB.at(up[short + "_after"], r, c);
  if (after !== undefined) box.append(GB.formula(`${label} after = ${label} + Δ${label} = `, after));
  if (GB.hasState(up)) {
    box.append(GB.el("div", {class: "muted"}, "optimizer state:"));
    for (const [key, value] of Object.entries(up.state)) {
      const v = GB.isMatrix(value) ? GB.at(value, r, c) : value;
      box.append(GB.formula(`  ${key} = `, typeof v === "number" || typeof v === "string" ? v : JSON.stringify(v)));
    }
  }
  return box;
};
