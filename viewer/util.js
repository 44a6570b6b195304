// util.js — what every part of the page shares: numbers as the page prints them, small builders
// for HTML and SVG elements, and matrix helpers for the trace's arrays of rows.
"use strict";
var GB = window.GB || (window.GB = {});

GB.digits = 9;  // significant digits shown; the full value is in each number's tooltip

// A traced number as text: `digits` significant digits, trailing zeros dropped (17 or more: every
// digit the double has, as the trace writes it). The trace writes
// NaN and the infinities as the strings "nan", "inf", "-inf", and they stay visible as such.
GB.num = function (x, digits) {
  if (typeof x === "string") return x;
  if (typeof x === "boolean") return String(x);
  if (typeof x !== "number") return "—";
  if (x === 0) return "0";
  if (!isFinite(x)) return String(x);
  const d = digits || GB.digits;
  if (d >= 17) return String(x);  // all of them: the shortest text that reads back to the same double
  const a = Math.abs(x);
  let text = a >= 1e-4 && a < 1e9 ? x.toPrecision(d) : x.toExponential(d - 1);
  if (text.includes("e")) {
    let [m, e] = text.split("e");
    if (m.includes(".")) m = m.replace(/0+$/, "").replace(/\.$/, "");
    return m + "e" + e;
  }
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  return text;
};

// A number as an element whose tooltip holds all its digits.
GB.numEl = function (x, digits) {
  const span = GB.el("span", {class: "num", title: typeof x === "number" ? String(x) : ""}, GB.num(x, digits));
  if (typeof x === "number" && x < 0) span.classList.add("neg");
  return span;
};

// el("div", {class: "x", onclick: f}, child, "text", …)
GB.el = function (tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false)
    e.append(c instanceof Node ? c : String(c));
  return e;
};

GB.svg = function (tag, attrs, ...children) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c) e.append(c instanceof Node ? c : String(c));
  return e;
};

GB.clear = function (node) { while (node.firstChild) node.removeChild(node.firstChild); return node; };

GB.isMatrix = (m) => Array.isArray(m) && m.length > 0 && Array.isArray(m[0]);
GB.at = (m, r, c) => (GB.isMatrix(m) && m[r] !== undefined ? m[r][c] : undefined);
GB.shape = (m) => (GB.isMatrix(m) ? `${m.length}×${m[0].length}` : Array.isArray(m) ? `${m.length}` : "");

// Mean, standard deviation, min, max and the Frobenius norm √Σx² of a matrix's finite entries.
GB.stats = function (m) {
  let n = 0, sum = 0, sq = 0, min = Infinity, max = -Infinity, nonFinite = 0;
  for (const row of GB.isMatrix(m) ? m : [m || []]) for (const x of row) {
    if (typeof x !== "number") { nonFinite++; continue; }
    n++; sum += x; sq += x * x; min = Math.min(min, x); max = Math.max(max, x);
  }
  if (n === 0) return {n, nonFinite};
  const mean = sum / n;
  return {n, mean, std: Math.sqrt(Math.max(0, sq / n - mean * mean)), min, max, norm: Math.sqrt(sq), nonFinite};
};

// The parameter name of a stage's weights: layers[2].W
GB.paramName = (layer, name) => `layers[${layer}].${name}`;

// "Dense(2→2, sigmoid)" → "sigmoid"; "Dense(3→1)" → "identity".
GB.activationOf = function (stage) {
  const m = /^Dense\([^,)]*,\s*([^)]*)\)/.exec(stage || "");
  if (m) return m[1].trim();
  if (/^Dense\(/.test(stage || "")) return "identity";
  return stage || "";
};

// g′(z) as the backward pass uses it, from z and a where the activation's formula allows;
// `how` says which formula, so the page can print it. null when the page does not know it.
GB.activationDerivative = function (activation, z, a) {
  if (activation === "sigmoid" && typeof a === "number") return {value: a * (1 - a), how: "a(1 − a)"};
  if (activation === "tanh" && typeof a === "number") return {value: 1 - a * a, how: "1 − a²"};
  if (activation === "relu" && typeof z === "number") return {value: z > 0 ? 1 : 0, how: "[z > 0]"};
  if (activation === "identity") return {value: 1, how: "1"};
  return null;
};
