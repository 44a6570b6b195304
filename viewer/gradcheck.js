// gradcheck.js — the gradient checks of the loaded traces (gradcheck events, docs/trace-format.md):
// each check's verdict and counts, its tensors, and every checked element with the analytic and
// numeric derivative, the relative error and the element's verdict.
"use strict";
var GB = window.GB || (window.GB = {});

GB.verdictEl = (v) => GB.el("span", {class: "verdict " + v}, v);

GB.GradCheck = class GradCheck {
  constructor(root) {
    this.root = root;
    this.select = root.querySelector("#gradcheck-select");
    this.select.addEventListener("change", () => this.show());
    root.querySelector("#gradcheck-only-bad").addEventListener("change", () => this.show());
  }

  setTraces(traces) {
    this.checks = [];
    for (const t of traces) for (let i = 0; i < t.count; i++) if (t.kindOf(i) === "gradcheck") this.checks.push({trace: t, index: i});
    GB.clear(this.select);
    this.checks.forEach((c, k) => this.select.append(GB.el("option", {value: k}, `${c.trace.name}: event ${c.index}`)));
    this.root.querySelector("#gradcheck-picker").hidden = !this.checks.length;
    this.show();
  }

  async show() {
    const host = GB.clear(this.root.querySelector("#gradcheck-body"));
    if (!this.checks.length) {
      host.append(GB.el("p", {class: "muted"}, "No gradcheck events in the loaded traces. `glassbox gradcheck SPEC` and chapter 07 write them."));
      return;
    }
    // The list of every check with its verdict, then the chosen one in full.
    const all = await Promise.all(this.checks.map((c) => c.trace.event(c.index)));
    const list = GB.el("table", {class: "grid"}, GB.el("tr", {}, ["#", "subject", "h", "verdict", "worst rel. error", "where"].map((h) => GB.el("th", {}, h))));
    all.forEach((ev, k) => {
      const tr = GB.el("tr", {class: String(k) === this.select.value ? "chosen" : "", onclick: () => { this.select.value = k; this.show(); }},
        GB.el("td", {}, String(k)), GB.el("td", {}, ev.subject), GB.el("td", {}, GB.numEl(ev.h)), GB.el("td", {}, GB.verdictEl(ev.verdict)),
        GB.el("td", {}, GB.numEl(ev.worst_rel_error, 3)), GB.el("td", {}, ev.worst || ""));
      list.append(tr);
    });
    host.append(GB.el("h3", {}, "Every check"), list);
    const ev = all[+this.select.value || 0];
    host.append(GB.el("h3", {}, "Check: ", ev.subject, " ", GB.verdictEl(ev.verdict)));
    const th = ev.thresholds || {};
    host.append(GB.el("p", {class: "muted"},
      `numeric n = (f(θ + h) − f(θ − h)) / 2h with h = ${GB.num(ev.h)}; r = |a − n| / max(|a|, |n|); good when r ≤ ${GB.num(th.good)}, ` +
      `acceptable when r ≤ ${GB.num(th.acceptable)}, zero when max(|a|, |n|) < ${GB.num(th.zero)}; kinks ${ev.detect_kinks ? "looked for" : "not looked for"}. ` +
      "Counts: " + Object.entries(ev.counts || {}).map(([k, v]) => `${k} ${v}`).join(", ")));
    const tensors = GB.el("table", {class: "grid"}, GB.el("tr", {}, ["tensor", "shape", "checked", "worst rel. error", "verdict", "counts"].map((h) => GB.el("th", {}, h))));
    for (const t of ev.tensors || [])
      tensors.append(GB.el("tr", {}, GB.el("td", {}, t.tensor), GB.el("td", {}, t.shape), GB.el("td", {}, `${t.checked} of ${t.size}`),
        GB.el("td", {}, GB.numEl(t.worst_rel_error, 3)), GB.el("td", {}, GB.verdictEl(t.verdict)),
        GB.el("td", {}, Object.entries(t.counts || {}).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(", "))));
    host.append(tensors);
    const onlyBad = this.root.querySelector("#gradcheck-only-bad").checked;
    const elements = (ev.elements || []).filter((e) => !onlyBad || e.verdict !== "good");
    const table = GB.el("table", {class: "grid elements"}, GB.el("tr", {}, ["tensor", "element", "analytic a", "numeric n", "|a − n|", "round-off", "r", "kink", "verdict"].map((h) => GB.el("th", {}, h))));
    for (const e of elements.slice(0, 2000))
      table.append(GB.el("tr", {class: "v-" + e.verdict}, GB.el("td", {}, e.tensor), GB.el("td", {}, `(${e.row}, ${e.col})`),
        GB.el("td", {}, GB.numEl(e.analytic)), GB.el("td", {}, GB.numEl(e.numeric)),
        GB.el("td", {}, typeof e.analytic === "number" && typeof e.numeric === "number" ? GB.numEl(Math.abs(e.analytic - e.numeric), 3) : "—"),
        GB.el("td", {}, GB.numEl(e.round_off, 3)), GB.el("td", {}, GB.numEl(e.rel_error, 3)), GB.el("td", {}, e.kink ? "yes" : ""),
        GB.el("td", {}, GB.verdictEl(e.verdict))));
    host.append(GB.el("h4", {}, `Elements (${elements.length}${onlyBad ? " not good" : ""}${elements.length > 2000 ? ", the first 2000 shown" : ""})`), table);
  }
};
