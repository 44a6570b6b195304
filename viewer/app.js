// app.js — the page: loading traces (a file chooser, dropping files on the page, or the trace
// `glassbox view` inlined), the list of loaded traces, and the tabs (step player, curves, gradient
// check, statistics, diff), each drawn by its own module.
"use strict";
var GB = window.GB || (window.GB = {});

GB.traces = [];

GB.App = class App {
  constructor() {
    this.$ = (id) => document.getElementById(id);
    this.player = new GB.Player(this.$("tab-steps"));
    this.curves = new GB.Curves(this.$("tab-curves"));
    this.gradcheck = new GB.GradCheck(this.$("tab-gradcheck"));
    this.stats = new GB.Stats(this.$("tab-stats"));
    this.diff = new GB.Diff(this.$("tab-diff"));
    this.player.onChange = () => { if (this.tab === "stats") this.stats.show(this.player); };
    this.diff.onShow = (trace, i) => { this.choose(GB.traces.indexOf(trace)); this.showTab("steps"); this.player.moveTo(i); };
    this.$("file").addEventListener("change", (e) => {
      const files = [...e.target.files];
      e.target.value = "";  // the same file can be chosen again
      this.load(files);
    });
    this.$("clear").addEventListener("click", () => { GB.traces = []; this.refresh(); });
    this.$("trace-select").addEventListener("change", (e) => this.choose(+e.target.value));
    this.$("digits").addEventListener("change", (e) => { GB.digits = +e.target.value; if (this.player.trace) this.player.show(); });
    for (const b of document.querySelectorAll("nav.tabs button")) b.addEventListener("click", () => this.showTab(b.dataset.tab));
    // Files dropped anywhere on the page.
    document.addEventListener("dragover", (e) => { e.preventDefault(); document.body.classList.add("dragging"); });
    document.addEventListener("dragleave", (e) => { if (!e.relatedTarget) document.body.classList.remove("dragging"); });
    document.addEventListener("drop", (e) => {
      e.preventDefault();
      document.body.classList.remove("dragging");
      this.load([...e.dataTransfer.files]);
    });
    this.showTab("steps");
    // A page written by `glassbox view` carries its trace inline.
    const inline = document.getElementById("inline-trace");
    if (inline) {
      const blob = new Blob([inline.textContent.replace(/^\s+/, "")], {type: "application/json"});
      this.load([Object.assign(blob, {inlineName: inline.dataset.name || "trace.json"})]);
    }
  }

  async load(files) {
    const status = this.$("load-status");
    for (const file of files) {
      const name = file.inlineName || file.name;
      status.className = "";
      status.textContent = `reading ${name}…`;
      try {
        const trace = await GB.TraceFile.open(file, name, (f) => { status.textContent = `reading ${name}… ${Math.round(f * 100)} %`; });
        GB.traces.push(trace);
        status.textContent = `${name}: ${trace.count} events, ${(trace.size / 1e6).toFixed(trace.size < 1e7 ? 2 : 0)} MB, indexed in ${Math.round(trace.loadMilliseconds)} ms`;
        status.dataset.loadMs = Math.round(trace.loadMilliseconds);
      } catch (err) {
        status.className = "error";
        status.textContent = err.message;
        continue;
      }
    }
    this.refresh(GB.traces.length - 1);
  }

  refresh(chosen) {
    const list = GB.clear(this.$("trace-list"));
    GB.traces.forEach((t, k) => {
      const h = t.header;
      const kinds = [...t.kindCounts.entries()].map(([kind, n]) => `${kind} ${n}`).join(", ");
      list.append(GB.el("li", {title: kinds}, GB.el("b", {}, `${k + 1}. ${t.name}`),
        ` — ${h.program}${h.chapter ? " (chapter " + h.chapter + ")" : ""}, seed ${h.seed}, level ${h.trace_level}, ${t.count} events` +
        (t.result && t.result.failed ? `, FAILED: ${t.result.failed.message}` : "")));
    });
    const select = GB.clear(this.$("trace-select"));
    GB.traces.forEach((t, k) => select.append(GB.el("option", {value: k}, `${k + 1}. ${t.name}`)));
    this.$("loaded").hidden = !GB.traces.length;
    this.$("welcome").hidden = GB.traces.length > 0;
    document.querySelector("main").hidden = !GB.traces.length;
    if (!GB.traces.length) return;
    this.curves.setTraces(GB.traces);
    this.gradcheck.setTraces(GB.traces);
    this.diff.setTraces(GB.traces);
    this.choose(chosen === undefined ? 0 : Math.max(0, chosen));
  }

  choose(k) {
    this.$("trace-select").value = k;
    const t = GB.traces[k];
    const h = t.header;
    const head = GB.clear(this.$("trace-header"));
    head.append(GB.el("span", {}, `${t.name}: ${h.program}, seed ${h.seed}, level ${h.trace_level}`),
      h.network ? GB.el("span", {class: "muted"}, ` — ${h.network}`) : "",
      GB.el("details", {}, GB.el("summary", {}, "header and result"),
        GB.el("pre", {}, JSON.stringify({...h, result: t.result}, null, 1).slice(0, 20000))));
    this.player.setTrace(t);
  }

  showTab(tab) {
    this.tab = tab;
    for (const b of document.querySelectorAll("nav.tabs button")) b.classList.toggle("active", b.dataset.tab === tab);
    for (const s of document.querySelectorAll("section.tab")) s.hidden = s.id !== "tab-" + tab;
    if (tab === "stats") this.stats.show(this.player);
  }
};

document.addEventListener("DOMContentLoaded", () => { GB.app = new GB.App(); });
