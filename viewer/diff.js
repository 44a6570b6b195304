// diff.js — two traces side by side: the first value that differs beyond a tolerance, with its
// address (event number, kind, run, epoch, step, layer or parameter, field, element) and both
// values. Two numbers a (trace A) and b (trace B) agree when |a − b| ≤ atol + rtol·|b| (numpy's
// isclose rule); anything else (text, booleans, the strings "nan"/"inf", shapes, keys) must be equal.
// The header is compared first, then the events in order; lines with identical text are skipped
// without parsing, so two large traces that mostly agree are walked quickly.
"use strict";
var GB = window.GB || (window.GB = {});

// The first difference between two parsed values, as {path, a, b}, or null.
GB.firstDifference = function (a, b, tol, path) {
  path = path || [];
  if (typeof a === "number" && typeof b === "number") {
    if (a === b || Math.abs(a - b) <= tol.atol + tol.rtol * Math.abs(b)) return null;
    return {path, a, b};
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let k = 0; k < Math.min(a.length, b.length); k++) {
      const d = GB.firstDifference(a[k], b[k], tol, path.concat(k));
      if (d) return d;
    }
    return a.length === b.length ? null : {path, a: `${a.length} entries`, b: `${b.length} entries`};
  }
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of Object.keys(a)) {
      if (!(k in b)) return {path: path.concat(k), a: a[k], b: "(no such field)"};
      const d = GB.firstDifference(a[k], b[k], tol, path.concat(k));
      if (d) return d;
    }
    for (const k of Object.keys(b)) if (!(k in a)) return {path: path.concat(k), a: "(no such field)", b: b[k]};
    return null;
  }
  return a === b ? null : {path, a, b};
};

// Walks A and B from event `from` (−1: the header first). Resolves to {event, diff} or null.
GB.walkDiff = async function (A, B, tol, from, onProgress) {
  if (from < 0) {
    const d = GB.firstDifference(A.header, B.header, tol);
    if (d) return {event: -1, diff: d};
    from = 0;
  }
  const n = Math.min(A.count, B.count);
  const batch = 4096;
  for (let i0 = from; i0 < n; i0 += batch) {
    const i1 = Math.min(n, i0 + batch);
    const [la, lb] = await Promise.all([A.lines(i0, i1), B.lines(i0, i1)]);
    for (let k = 0; k < la.length; k++) {
      if (la[k] === lb[k]) continue;
      const d = GB.firstDifference(JSON.parse(la[k]), JSON.parse(lb[k]), tol);
      if (d) return {event: i0 + k, diff: d};
    }
    if (onProgress) onProgress(i1 / n);
  }
  if (A.count !== B.count)
    return {event: n, diff: {path: ["(events)"], a: `${A.count} events`, b: `${B.count} events`}};
  return null;
};

GB.Diff = class Diff {
  constructor(root) {
    this.root = root;
    this.$ = (id) => root.querySelector("#" + id);
    this.$("diff-first").addEventListener("click", () => this.run(-1));
    this.$("diff-next").addEventListener("click", () => this.found && this.run(this.found.event + 1));
  }

  setTraces(traces) {
    this.traces = traces;
    for (const [id, pick] of [["diff-a", 0], ["diff-b", 1]]) {
      const select = GB.clear(this.$(id));
      traces.forEach((t, k) => select.append(GB.el("option", {value: k}, `${k + 1}. ${t.name}`)));
      select.value = Math.min(pick, traces.length - 1);
    }
    this.$("diff-controls").hidden = traces.length < 2;
    this.$("diff-hint").hidden = traces.length >= 2;
  }

  async run(from) {
    const A = this.traces[+this.$("diff-a").value], B = this.traces[+this.$("diff-b").value];
    const rtol = Number(this.$("diff-rtol").value), atol = Number(this.$("diff-atol").value);
    const out = GB.clear(this.$("diff-result"));
    if (!(rtol >= 0) || !(atol >= 0)) {
      out.append(GB.el("p", {class: "error"}, `rtol and atol must be numbers ≥ 0 (got rtol "${this.$("diff-rtol").value}", atol "${this.$("diff-atol").value}")`));
      return;
    }
    const status = GB.el("p", {class: "muted"}, "comparing…");
    out.append(status);
    const started = performance.now();
    const found = await GB.walkDiff(A, B, {rtol, atol}, from, (f) => { status.textContent = `comparing… ${Math.round(f * 100)} %`; });
    status.textContent = `compared in ${Math.round(performance.now() - started)} ms (|a − b| ≤ atol + rtol·|b| with rtol ${rtol}, atol ${atol})`;
    this.found = found;
    this.$("diff-next").disabled = !found;
    if (!found) {
      out.append(GB.el("p", {class: "agree", id: "diff-verdict"}, from < 0 ? `${A.name} and ${B.name} agree within the tolerance: every value of the header and of all ${A.count} events.`
                                                              : "No further difference."));
      return;
    }
    await this.showDifference(out, A, B, found);
  }

  async showDifference(out, A, B, found) {
    const {event, diff} = found;
    const header = event < 0;
    const inRange = !header && event < Math.min(A.count, B.count);
    const ea = inRange ? await A.event(event) : header ? A.header : null;
    const eb = inRange ? await B.event(event) : header ? B.header : null;
    const path = diff.path;
    // field: the path down to the last key (hyperparameters.network.layers[1].weights); element:
    // the indices after it, (row, column) of a matrix.
    let last = path.length - 1;
    while (last >= 0 && typeof path[last] === "number") last--;
    const field = path.slice(0, last + 1).map((p, k) => (typeof p === "number" ? `[${p}]` : (k ? "." : "") + p)).join("");
    const element = path.slice(last + 1);
    const address = [
      ["event", header ? "the header" : String(event)],
      ["kind", header ? "header" : ea ? ea.event : "—"],
      ["run", ea && ea.run],
      ["epoch", ea && ea.epoch],
      ["step", ea && ea.step],
      ["layer", ea && (ea.layer !== undefined ? ea.layer : ea.parameter)],
      ["field", field || "—"],
      ["element", element.length ? `(${element.join(", ")})` : "—"],
    ].filter(([, v]) => v !== undefined && v !== null);
    const table = GB.el("table", {class: "grid", id: "diff-address"},
      address.map(([k, v]) => GB.el("tr", {}, GB.el("th", {}, k), GB.el("td", {"data-field": k}, String(v)))));
    const numbers = typeof diff.a === "number" && typeof diff.b === "number";
    const values = GB.el("table", {class: "grid"},
      GB.el("tr", {}, GB.el("th", {}, `A: ${A.name}`), GB.el("td", {id: "diff-value-a"}, GB.numEl(diff.a, 17))),
      GB.el("tr", {}, GB.el("th", {}, `B: ${B.name}`), GB.el("td", {id: "diff-value-b"}, GB.numEl(diff.b, 17))),
      numbers ? GB.el("tr", {}, GB.el("th", {}, "|a − b|"), GB.el("td", {}, GB.numEl(Math.abs(diff.a - diff.b), 4))) : null,
      numbers ? GB.el("tr", {}, GB.el("th", {}, "|a − b| / |b|"), GB.el("td", {}, diff.b !== 0 ? GB.numEl(Math.abs(diff.a - diff.b) / Math.abs(diff.b), 4) : "—")) : null);
    out.append(GB.el("h3", {id: "diff-verdict"}, "First difference" + (header ? " (in the header)" : ` at event ${event}`)), table, values);
    // Both records side by side, the differing field marked.
    const side = GB.el("div", {class: "side-by-side"});
    for (const [name, ev] of [[A.name, ea], [B.name, eb]]) {
      const pre = GB.el("pre", {class: "event-json"});
      if (ev) {
        for (const [k, v] of Object.entries(ev)) {
          let text = JSON.stringify(v);
          if (text.length > 400) text = text.slice(0, 400) + " …";
          pre.append(GB.el("div", {class: k === path[0] ? "differs" : ""}, `${k}: ${text}`));
        }
      } else pre.textContent = "(no such event)";
      side.append(GB.el("div", {}, GB.el("h4", {}, name), pre));
    }
    out.append(side);
    // The value that holds the difference, whole, when it lies deeper than a top-level field.
    if (last > 0) {
      const at = (v) => path.slice(0, last + 1).reduce((x, p) => (x === undefined || x === null ? x : x[p]), v);
      const show = (v) => { const t = JSON.stringify(v); return t === undefined ? "(none)" : t.length > 600 ? t.slice(0, 600) + " …" : t; };
      out.append(GB.el("h4", {}, field), GB.el("div", {class: "side-by-side"},
        GB.el("pre", {class: "event-json"}, GB.el("div", {class: "differs"}, show(at(ea)))),
        GB.el("pre", {class: "event-json"}, GB.el("div", {class: "differs"}, show(at(eb))))));
    }
    if (inRange && this.onShow) out.append(GB.el("button", {onclick: () => this.onShow(A, event)}, "show event " + event + " of A in the step player"));
  }
};
