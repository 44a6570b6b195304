// trace-file.js — reading a glassbox trace (docs/trace-format.md) without holding it in memory.
//
// A trace is one JSON document with the header on its first line and one event per line after
// "events":[. TraceFile.open() reads the file in chunks (File.slice + TextDecoder), records where
// every event's line starts and ends, and notes its kind, run, epoch and step from the line's first
// bytes. An event is parsed only when something shows it (event(i), events(list)). The small events
// every curve needs (epoch, step) are parsed while indexing.
"use strict";
var GB = window.GB || (window.GB = {});

GB.TraceFile = class TraceFile {
  // Reads the whole index of `blob` (a File, or a Blob of an inlined trace). Throws an Error whose
  // message names the file and the line when the text is not a glassbox trace.
  static async open(blob, name, onProgress) {
    const trace = new TraceFile(blob, name);
    const started = performance.now();
    await trace.index(onProgress || (() => {}));
    trace.loadMilliseconds = performance.now() - started;
    return trace;
  }

  constructor(blob, name) {
    this.blob = blob;
    this.name = name;
    this.size = blob.size;
    this.header = null;
    this.result = null;
    this.count = 0;                       // events
    this.start = new Float64Array(1024);  // byte offset of event i's line
    this.end = new Float64Array(1024);    // and of its end (the newline excluded)
    this.kind = new Uint16Array(1024);    // index into kinds
    this.run = new Uint16Array(1024);     // index into runs ("" for none)
    this.epoch = new Int32Array(1024);    // -1 when the event has none
    this.step = new Int32Array(1024);
    this.kinds = [];
    this.runs = [""];
    this.kindCounts = new Map();
    this.epochs = [];    // parsed epoch events: {index, event}
    this.steps = [];     // parsed step events
    this.openers = [];   // parsed events that open a run: delta_run, depth_run, output_run
    this.byStep = new Map();  // "run|step" → event indices of forward, backward, update, step, parameters
    this.cache = new Map();   // parsed events, the most recent last
    this.decoder = new TextDecoder("utf-8");
    this.lineNumber = 0;
  }

  async index(onProgress) {
    let chunk = 8 << 20;
    let pos = 0;
    while (pos < this.size) {
      const end = Math.min(this.size, pos + chunk);
      const bytes = new Uint8Array(await this.blob.slice(pos, end).arrayBuffer());
      let lineStart = 0;
      let newline;
      while ((newline = bytes.indexOf(10, lineStart)) !== -1) {
        this.addLine(bytes, lineStart, newline, pos);
        lineStart = newline + 1;
      }
      if (end === this.size) {
        if (lineStart < bytes.length) this.addLine(bytes, lineStart, bytes.length, pos);
        pos = end;
      } else if (lineStart === 0) {
        chunk *= 2;  // one line longer than a chunk: read more at once
        continue;
      } else {
        pos += lineStart;
      }
      onProgress(pos / this.size);
      await new Promise((resolve) => setTimeout(resolve, 0));  // let the page draw the progress
    }
    if (!this.header) throw new Error(`${this.name}: empty file`);
  }

  addLine(bytes, s, e, base) {
    const line = this.lineNumber++;
    if (e > s && bytes[e - 1] === 13) e--;  // a CRLF file
    if (line === 0) {
      const text = this.decoder.decode(bytes.subarray(s, e)).trim();
      try {
        // The header line ends with a comma: the document continues with "events".
        this.header = JSON.parse(text.replace(/,\s*("events"\s*:\s*\[\s*)?$/, "") + "}");
      } catch (err) {
        throw new Error(`${this.name}: line 1: not the header of a glassbox trace (${err.message})`);
      }
      if (this.header.schema !== "glassbox-trace")
        throw new Error(`${this.name}: line 1: "schema" is ${JSON.stringify(this.header.schema)}, not "glassbox-trace": ` +
                        "not a glassbox trace");
      return;
    }
    // {"event":"…" is 10 bytes: 123 34 101 118 101 110 116 34 58 34
    if (bytes[s] === 123 && bytes[s + 1] === 34 && bytes[s + 2] === 101 && bytes[s + 8] === 58) {
      const prefix = this.decoder.decode(bytes.subarray(s, Math.min(e, s + 240)));
      const m = /^\{"event":"([^"]*)"(?:,"run":"((?:[^"\\]|\\.)*)")?/.exec(prefix);
      if (!m) throw new Error(`${this.name}: line ${line + 1}: an event without a readable "event" field`);
      const epoch = /"epoch":(\d+)/.exec(prefix);
      const step = /"step":(\d+)/.exec(prefix);
      this.push(base + s, base + e, m[1], m[2] === undefined ? "" : JSON.parse(`"${m[2]}"`),
                epoch ? +epoch[1] : -1, step ? +step[1] : -1);
      const i = this.count - 1;
      const kind = m[1];
      if (kind === "epoch" || kind === "step") {
        const event = this.parseLine(this.decoder.decode(bytes.subarray(s, e)), line);
        (kind === "epoch" ? this.epochs : this.steps).push({index: i, event});
      } else if (kind.endsWith("_run") && e - s < 4096) {
        // delta_run, depth_run, output_run: a chapter's events that open a training run without a
        // "run" field; the epochs after one belong to it.
        this.openers.push({index: i, event: this.parseLine(this.decoder.decode(bytes.subarray(s, e)), line)});
      }
      if (step && (kind === "forward" || kind === "backward" || kind === "update" || kind === "step" || kind === "parameters")) {
        const key = this.stepKey(this.runs[this.run[i]], +step[1]);
        if (!this.byStep.has(key)) this.byStep.set(key, []);
        this.byStep.get(key).push(i);
      }
      return;
    }
    if (bytes[s] === 34 && this.decoder.decode(bytes.subarray(s, Math.min(e, s + 10))).startsWith('"result"')) {
      const text = this.decoder.decode(bytes.subarray(s, e)).trim();
      try {
        this.result = JSON.parse("{" + text).result;
      } catch (err) {
        this.result = {unreadable: err.message};
      }
    }
    // Other lines hold the document's punctuation: "events":[ and ],
  }

  push(start, end, kind, run, epoch, step) {
    if (this.count === this.start.length) {
      const grow = (a) => { const b = new a.constructor(a.length * 2); b.set(a); return b; };
      this.start = grow(this.start); this.end = grow(this.end); this.kind = grow(this.kind);
      this.run = grow(this.run); this.epoch = grow(this.epoch); this.step = grow(this.step);
    }
    let k = this.kinds.indexOf(kind);
    if (k < 0) { k = this.kinds.length; this.kinds.push(kind); }
    let r = this.runs.indexOf(run);
    if (r < 0) { r = this.runs.length; this.runs.push(run); }
    const i = this.count++;
    this.start[i] = start; this.end[i] = end; this.kind[i] = k; this.run[i] = r;
    this.epoch[i] = epoch; this.step[i] = step;
    this.kindCounts.set(kind, (this.kindCounts.get(kind) || 0) + 1);
  }

  stepKey(run, step) { return run + "|" + step; }
  kindOf(i) { return this.kinds[this.kind[i]]; }
  runOf(i) { return this.runs[this.run[i]]; }

  parseLine(text, line) {
    let t = text.trim();
    if (t.endsWith(",")) t = t.slice(0, -1);
    try {
      return JSON.parse(t);
    } catch (err) {
      throw new Error(`${this.name}: line ${line + 1}: ${err.message}`);
    }
  }

  // The text of events i0 … i1−1, one string each, read in one slice.
  async lines(i0, i1) {
    if (i1 <= i0) return [];
    const from = this.start[i0], to = this.end[i1 - 1];
    const bytes = new Uint8Array(await this.blob.slice(from, to).arrayBuffer());
    const out = [];
    for (let i = i0; i < i1; i++) {
      let text = this.decoder.decode(bytes.subarray(this.start[i] - from, this.end[i] - from));
      if (text.endsWith(",")) text = text.slice(0, -1);
      out.push(text);
    }
    return out;
  }

  // Event i, parsed (and kept among the last few hundred parsed).
  async event(i) {
    return (await this.events([i]))[0];
  }

  // Events by index, read in as few slices as their positions allow.
  async events(indices) {
    const out = new Array(indices.length);
    const missing = [];
    indices.forEach((i, k) => {
      if (this.cache.has(i)) { out[k] = this.cache.get(i); this.cache.delete(i); this.cache.set(i, out[k]); }
      else missing.push(k);
    });
    missing.sort((a, b) => indices[a] - indices[b]);
    let g = 0;
    while (g < missing.length) {
      let h = g + 1;  // a run of events close together: one slice
      while (h < missing.length && this.start[indices[missing[h]]] - this.end[indices[missing[h - 1]]] < 65536) h++;
      const first = indices[missing[g]], last = indices[missing[h - 1]];
      const bytes = new Uint8Array(await this.blob.slice(this.start[first], this.end[last]).arrayBuffer());
      for (let m = g; m < h; m++) {
        const i = indices[missing[m]];
        const text = this.decoder.decode(bytes.subarray(this.start[i] - this.start[first], this.end[i] - this.start[first]));
        out[missing[m]] = this.parseLine(text, i);
        this.cache.set(i, out[missing[m]]);
      }
      g = h;
    }
    while (this.cache.size > 512) this.cache.delete(this.cache.keys().next().value);
    return out;
  }

  // Indices of the events recorded for one update (forward, backward, step, update, parameters).
  stepEvents(run, step) { return this.byStep.get(this.stepKey(run, step)) || []; }

  // The first event at or after `from` for which predicate(i) holds, or −1.
  find(from, predicate) {
    for (let i = Math.max(0, from); i < this.count; i++) if (predicate(i)) return i;
    return -1;
  }
};
