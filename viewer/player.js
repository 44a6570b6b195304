// player.js — the step player: one record of the trace at a time, in the order the run made them
// (forward → backward → step → update, then the next update), with previous/next, a jump to an
// epoch and step, a one-line commentary with the record's numbers, the network of the record's
// update (network.js), the formula of the unit or edge clicked, and the optimizer's state.
"use strict";
var GB = window.GB || (window.GB = {});

GB.TRAINING_KINDS = new Set(["forward", "backward", "step", "update", "epoch"]);

GB.Player = class Player {
  constructor(root) {
    this.root = root;
    this.trace = null;
    this.i = 0;
    this.sample = 0;
    this.selection = null;
    this.ctx = null;
    this.ctxKey = "";
    this.$ = (id) => root.querySelector("#" + id);
    this.$("prev").addEventListener("click", () => this.move(-1));
    this.$("next").addEventListener("click", () => this.move(+1));
    this.$("first").addEventListener("click", () => this.moveTo(this.nextMatch(0, +1)));
    this.$("last").addEventListener("click", () => this.moveTo(this.nextMatch(this.trace.count - 1, -1)));
    this.$("run").addEventListener("change", () => this.moveTo(this.nextMatch(0, +1)));
    this.$("filter").addEventListener("change", () => this.moveTo(this.nextMatch(this.i, +1)));
    this.$("event-number").addEventListener("change", (e) => this.moveTo(Math.max(0, Math.min(this.trace.count - 1, +e.target.value))));
    this.$("jump").addEventListener("click", () => this.jump());
    this.$("sample").addEventListener("change", (e) => { this.sample = +e.target.value; this.show(); });
    document.addEventListener("keydown", (e) => {
      if (!this.trace || e.target.tagName === "INPUT" || e.target.tagName === "SELECT" || !root.offsetParent) return;
      if (e.key === "ArrowRight") { this.move(+1); e.preventDefault(); }
      if (e.key === "ArrowLeft") { this.move(-1); e.preventDefault(); }
    });
  }

  setTrace(trace) {
    this.trace = trace;
    this.selection = null;
    this.ctx = null;
    this.ctxKey = "";
    const runSelect = GB.clear(this.$("run"));
    runSelect.append(GB.el("option", {value: ""}, "every run"));
    trace.runs.slice(1).forEach((r) => runSelect.append(GB.el("option", {value: r}, r)));
    this.$("run-box").hidden = trace.runs.length <= 1;
    // A trace with per-update records starts at its first one; otherwise at its first event.
    const first = trace.find(0, (i) => trace.kindOf(i) === "forward" || trace.kindOf(i) === "backward");
    this.$("filter").value = first >= 0 ? "training" : "all";
    this.moveTo(first >= 0 ? first : 0);
  }

  matches(i) {
    const t = this.trace;
    const run = this.$("run").value;
    if (run && t.runOf(i) !== run) return false;
    return this.$("filter").value === "all" || GB.TRAINING_KINDS.has(t.kindOf(i));
  }

  nextMatch(from, direction) {
    for (let i = from; i >= 0 && i < this.trace.count; i += direction) if (this.matches(i)) return i;
    return -1;
  }

  move(direction) {
    const i = this.nextMatch(this.i + direction, direction);
    if (i >= 0) this.moveTo(i);
  }

  jump() {
    const epoch = this.$("jump-epoch").value.trim(), step = this.$("jump-step").value.trim();
    const t = this.trace;
    const i = t.find(0, (k) => this.matches(k) && (epoch === "" || t.epoch[k] === +epoch) && (step === "" || t.step[k] === +step));
    this.$("jump-message").textContent = i < 0 ? `no record${epoch !== "" ? " of epoch " + epoch : ""}${step !== "" ? " at step " + step : ""} here` : "";
    if (i >= 0) this.moveTo(i);
  }

  async moveTo(i) {
    if (!this.trace || i < 0 || this.trace.count === 0) {
      this.$("commentary").textContent = this.trace && this.trace.count === 0 ? "This trace has no events." : "";
      return;
    }
    this.i = i;
    await this.show();
  }

  async show() {
    const t = this.trace, i = this.i;
    const ev = await t.event(i);
    this.event = ev;
    this.$("event-number").value = i;
    this.$("event-count").textContent = `of ${t.count - 1}`;
    const where = [t.runOf(i) && `run ${t.runOf(i)}`, t.epoch[i] >= 0 && `epoch ${t.epoch[i]}`, t.step[i] >= 0 && `step ${t.step[i]}`].filter(Boolean);
    this.$("position").textContent = `event ${i}: ${ev.event}` + (where.length ? ` — ${where.join(", ")}` : "");
    if (t.step[i] >= 0 && t.stepEvents(t.runOf(i), t.step[i]).length) {
      const key = t.runOf(i) + "|" + t.step[i];
      if (key !== this.ctxKey) {
        this.ctx = await GB.loadStep(t, t.runOf(i), t.step[i]);
        this.ctxKey = key;
        if (this.selection && !this.selectionFits()) this.selection = null;
      }
    } else {
      this.ctx = null;
      this.ctxKey = "";
    }
    this.$("commentary").textContent = GB.commentary(ev, this.ctx, this.selection, this.sample);
    this.drawStep();
    const raw = JSON.stringify(ev, null, 1);
    this.$("raw").textContent = raw.length > 20000 ? raw.slice(0, 20000) + "\n… (" + raw.length + " characters)" : raw;
    if (this.onChange) this.onChange(this);
  }

  selectionFits() {
    const s = this.selection, c = this.ctx;
    if (s.type === "unit") return s.col <= c.stages.length && s.j < (s.col ? c.stages[s.col - 1].outWidth : c.stages[0].inWidth);
    return s.stage < c.stages.length && s.j < c.stages[s.stage].outWidth && s.i < c.stages[s.stage].inWidth;
  }

  drawStep() {
    const ctx = this.ctx, ev = this.event;
    const sampleBox = this.$("sample-box"), sampleSelect = this.$("sample");
    if (!ctx) {
      GB.clear(this.$("network")).append(GB.el("p", {class: "muted"},
        "This record belongs to no update with forward or backward records, so there is no network to draw. " +
        "Its fields are listed below."));
      GB.clear(this.$("explain"));
      GB.clear(this.$("optimizer"));
      sampleBox.hidden = true;
      return;
    }
    sampleBox.hidden = ctx.batch <= 1;
    if (sampleSelect.options.length !== ctx.batch) {
      GB.clear(sampleSelect);
      for (let s = 0; s < ctx.batch; s++) sampleSelect.append(GB.el("option", {value: s}, String(s)));
    }
    this.sample = Math.min(this.sample, Math.max(0, ctx.batch - 1));
    sampleSelect.value = this.sample;
    const current = ev.event === "update" ? {parameter: ev.parameter} : {layer: ev.layer};
    GB.drawNetwork(this.$("network"), ctx, {sample: this.sample, selection: this.selection, current,
      onSelect: (sel) => { this.selection = sel; this.show(); }});
    const explain = GB.clear(this.$("explain"));
    if (!this.selection) explain.append(GB.el("p", {class: "muted"}, "Click a unit or an edge to see its formula with this step's numbers."));
    else if (this.selection.type === "unit") explain.append(GB.describeUnit(ctx, this.selection.col, this.selection.j, this.sample));
    else explain.append(GB.describeEdge(ctx, this.selection.stage, this.selection.j, this.selection.i, this.sample));
    GB.drawOptimizerState(this.$("optimizer"), ctx);
  }
};

// The optimizer's state per parameter at this update, when the trace has it (update events'
// "state": velocity, m, v, m̂, v̂, …): each entry as a small matrix, or its statistics when large.
GB.drawOptimizerState = function (host, ctx) {
  GB.clear(host);
  const withState = [...ctx.params.values()].filter((u) => GB.hasState(u));
  const lrs = [...ctx.params.values()].filter((u) => u.learning_rate !== undefined);
  if (!withState.length && !lrs.length) return;
  host.append(GB.el("h3", {}, "Optimizer state at this update"));
  const table = GB.el("table", {class: "grid"});
  table.append(GB.el("tr", {}, GB.el("th", {}, "parameter"), GB.el("th", {}, "η"), GB.el("th", {}, "state"), GB.el("th", {}, "value")));
  for (const u of ctx.params.values()) {
    const entries = Object.entries(u.state || {});
    if (!entries.length) entries.push(["—", undefined]);
    entries.forEach(([key, value], n) => {
      const tr = GB.el("tr", {});
      if (n === 0) {
        tr.append(GB.el("td", {rowspan: entries.length}, u.parameter + (u.frozen ? " (frozen)" : "")),
                  GB.el("td", {rowspan: entries.length}, u.learning_rate !== undefined ? GB.numEl(u.learning_rate) : "—"));
      }
      tr.append(GB.el("td", {}, key), GB.el("td", {}, GB.matrixView(value)));
      table.append(tr);
    });
  }
  host.append(table);
};

// A matrix as a small table when it has at most 6×6 entries, else its statistics.
GB.matrixView = function (m) {
  if (typeof m === "number" || typeof m === "string") return GB.numEl(m);
  if (m === undefined) return "";
  if (!GB.isMatrix(m)) return JSON.stringify(m);
  if (m.length <= 6 && m[0].length <= 6)
    return GB.el("table", {class: "matrix"}, m.map((row) => GB.el("tr", {}, row.map((x) => GB.el("td", {}, GB.numEl(x, 6))))));
  const s = GB.stats(m);
  return `(${GB.shape(m)}) mean ${GB.num(s.mean, 4)}, std ${GB.num(s.std, 4)}, min ${GB.num(s.min, 4)}, max ${GB.num(s.max, 4)}`;
};

// ---- the one-line commentary ------------------------------------------------------------------

GB.list = function (row, n) {
  if (!Array.isArray(row)) return GB.num(row);
  const shown = row.slice(0, n || 4).map((x) => GB.num(x));
  return "[" + shown.join(", ") + (row.length > shown.length ? `, … ${row.length - shown.length} more` : "") + "]";
};

GB.commentary = function (ev, ctx, selection, sample) {
  const s = sample || 0;
  const stage = (layer) => ctx && ctx.stages.find((st) => st.layer === layer);
  switch (ev.event) {
    case "forward": {
      const z = GB.isMatrix(ev.z) ? ev.z[Math.min(s, ev.z.length - 1)] : null;
      const a = GB.isMatrix(ev.a) ? ev.a[Math.min(s, ev.a.length - 1)] : null;
      return `forward through layers[${ev.layer}] ${ev.stage}: ` + (z ? "z = x·Wᵀ + b" : "") + (z && a ? ", " : "") +
        (a ? `a = ${GB.activationOf(ev.stage)}(${z ? "z" : "x"})` : "") + `; sample ${s}: ` +
        [z && `z = ${GB.list(z)}`, a && `a = ${GB.list(a)}`].filter(Boolean).join(", ");
    }
    case "backward": {
      const st = stage(ev.layer);
      const k = ctx ? ctx.stages.indexOf(st) : -1;
      let j = 0;
      if (selection && selection.type === "unit" && selection.col === k + 1) j = selection.j;
      if (selection && selection.type === "edge" && selection.stage === k) j = selection.j;
      const dLda = GB.at(ev.dL_da, s, j), dLdz = GB.at(ev.dL_dz, s, j);
      const g = st ? GB.activationDerivative(st.activation, GB.at(st.z, s, j), GB.at(st.a, s, j)) : null;
      let text = `backward through layers[${ev.layer}] ${ev.stage}: δ = ∂L/∂a ⊙ g′(z); δ of unit ${j} = ` +
        (dLda !== undefined && g ? `${GB.num(dLda)} · ${GB.num(g.value)} = ` : "") + GB.num(dLdz);
      const i = selection && selection.type === "edge" && selection.stage === k ? selection.i : 0;
      if (GB.isMatrix(ev.dL_dW)) {
        const xin = st ? GB.at(st.input, s, i) : undefined;
        text += `; ∂L/∂W(${j}, ${i}) = ` + (ctx && ctx.batch === 1 && xin !== undefined ? `δ · a_in = ${GB.num(dLdz)} · ${GB.num(xin)} = ` : "Σ δ·a_in = ") +
          GB.num(GB.at(ev.dL_dW, j, i));
      }
      return text;
    }
    case "step": {
      const norms = Object.entries(ev.gradient_norms || {}).map(([k, v]) => `${k} ${GB.num(v, 4)}`).join(", ");
      return `step ${ev.step} (epoch ${ev.epoch}): a batch of ${ev.batch_size}, loss ${GB.num(ev.loss)} before the update` +
        (ev.learning_rate !== undefined ? `, η = ${GB.num(ev.learning_rate)}` : "") + (norms ? `; ‖∂L/∂θ‖: ${norms}` : "");
    }
    case "update": {
      let r = 0, c = 0;
      const short = (ev.parameter || "").slice((ev.parameter || "").lastIndexOf(".") + 1);
      if (selection && selection.type === "edge" && ctx && short === "W" && GB.paramName(ctx.stages[selection.stage].layer, "W") === ev.parameter) {
        r = selection.j; c = selection.i;
      }
      const delta = GB.at(ev.update, r, c), after = GB.at(ev[short + "_after"], r, c);
      const st = ctx && ctx.stages.find((x) => GB.paramName(x.layer, short) === ev.parameter);
      const gradMatrix = st && st.backward ? st.backward["dL_d" + short] : undefined;
      const grad = GB.at(gradMatrix, r, c);
      if (ev.frozen) return `update of ${ev.parameter}: frozen, Δθ = 0; element (${r}, ${c}) stays ${GB.num(after)}`;
      const lr = ctx ? GB.learningRate(ctx, ev, gradMatrix) : null;
      let text = `update of ${ev.parameter}: θ ← θ + Δθ; element (${r}, ${c}): `;
      if (lr && ctx && GB.isPlainStep(ctx, ev) && grad !== undefined) text += `Δθ = −η·∂L/∂θ = −${GB.num(lr.value)} · ${GB.num(grad)} = `;
      else text += "Δθ = ";
      text += `${GB.num(delta)}, θ after = ${GB.num(after)}`;
      if (GB.hasState(ev)) text += "; state: " + Object.entries(ev.state).map(([k, v]) => `${k} ${GB.num(GB.isMatrix(v) ? GB.at(v, r, c) : v)}`).join(", ");
      return text;
    }
    case "epoch": {
      const parts = [`loss ${GB.num(ev.loss)} on the whole training set`];
      if (ev.accuracy !== undefined) parts.push(`accuracy ${GB.num(ev.accuracy, 4)}`);
      if (ev.val_loss !== undefined) parts.push(`validation loss ${GB.num(ev.val_loss)}`);
      if (ev.val_accuracy !== undefined) parts.push(`validation accuracy ${GB.num(ev.val_accuracy, 4)}`);
      if (ev.learning_rate !== undefined) parts.push(`η = ${GB.num(ev.learning_rate)}`);
      return `epoch ${ev.epoch} ended after ${ev.steps} updates: ${parts.join(", ")}`;
    }
    case "gradcheck":
      return `gradient check of ${ev.subject}: verdict ${ev.verdict}; worst relative error ${GB.num(ev.worst_rel_error, 3)}` +
        (ev.worst ? ` at ${ev.worst}` : "") + ` (h = ${GB.num(ev.h)}; see the Gradient check tab)`;
    default: {
      const scalars = Object.entries(ev).filter(([k, v]) => k !== "event" && (typeof v !== "object" || v === null)).slice(0, 6);
      return `${ev.event}: ` + (scalars.length ? scalars.map(([k, v]) => `${k} ${typeof v === "number" ? GB.num(v) : v}`).join(", ") : "(see its fields below)");
    }
  }
};
