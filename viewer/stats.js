// stats.js — per-layer statistics of the weights, their gradients and their updates at the step
// the player shows (mean, standard deviation, min, max, ‖·‖, and ‖Δθ‖/‖θ‖, the update's size
// relative to the weights), and the gradient norms of every parameter over the updates (step
// events' gradient_norms).
"use strict";
var GB = window.GB || (window.GB = {});

GB.Stats = class Stats {
  constructor(root) {
    this.root = root;
  }

  show(player) {
    const host = GB.clear(this.root.querySelector("#stats-body"));
    const ctx = player && player.ctx;
    if (!ctx) {
      host.append(GB.el("p", {class: "muted"}, "The player is not at a record of an update (forward, backward, step or update): move it to one to see that step's statistics."));
    } else {
      host.append(GB.el("h3", {}, `Step ${ctx.step} (epoch ${ctx.epoch})${ctx.run ? ", run " + ctx.run : ""}: every parameter`));
      const table = GB.el("table", {class: "grid"}, GB.el("tr", {}, ["parameter", "of", "shape", "mean", "std", "min", "max", "‖·‖"].map((h) => GB.el("th", {}, h))));
      const row = (name, what, m) => {
        const s = GB.stats(m);
        if (!s.n) return;
        table.append(GB.el("tr", {}, GB.el("td", {}, name), GB.el("td", {}, what), GB.el("td", {}, GB.shape(m)),
          ...[s.mean, s.std, s.min, s.max, s.norm].map((x) => GB.el("td", {}, GB.numEl(x, 4)))));
      };
      for (const st of ctx.stages) for (const short of ["W", "b"]) {
        const p = st[short], name = GB.paramName(st.layer, short);
        if (p && p.before) row(name, p.derived ? "θ before (after − Δθ)" : "θ before", p.before);
        if (st.backward && st.backward["dL_d" + short]) row(name, "∂L/∂θ", st.backward["dL_d" + short]);
        if (p && p.update) row(name, "Δθ", p.update);
        if (p && p.update && p.after) {
          const u = GB.stats(p.update), a = GB.stats(p.before || p.after);
          if (a.norm > 0) table.append(GB.el("tr", {class: "ratio"}, GB.el("td", {}, name), GB.el("td", {colspan: 6}, "‖Δθ‖ / ‖θ‖"), GB.el("td", {}, GB.numEl(u.norm / a.norm, 4))));
        }
      }
      for (const st of ctx.stages) {
        if (st.a) row(`layers[${st.layer}] output`, "a", st.a);
        if (st.backward && st.backward.dL_dz) row(`layers[${st.layer}] output`, "δ = ∂L/∂z", st.backward.dL_dz);
      }
      host.append(table);
    }
    // Gradient norms over the updates of the run the player shows.
    const t = player && player.trace;
    if (!t) return;
    const run = ctx ? ctx.run : "";
    const steps = t.steps.map((s) => s.event).filter((e) => (e.run || "") === run && e.gradient_norms);
    if (steps.length >= 2) {
      const names = Object.keys(steps[0].gradient_norms);
      const chart = GB.lineChart({title: `‖∂L/∂θ‖ per update${run ? " (run " + run + ")" : ""}`, xLabel: "step", yLabel: "‖∂L/∂θ‖", log: true,
        series: names.map((n, k) => ({name: n, color: GB.COLORS[k % GB.COLORS.length], points: steps.map((e) => [e.step, e.gradient_norms[n]])}))});
      if (chart) host.append(chart);
    }
  }
};
