/* The kernel-free twin of an adamlib explorer (adamlib/explorer.py builds the page's data).
 *
 * The data block holds, for every combination of the controls' values, the arrays adamlib
 * computed when the notebook ran (float32, each distinct array once). Moving a control picks
 * the stored arrays of the new combination and redraws an SVG figure: no formula is computed
 * here, only axes and lines. No dependency, no network: it works from file:// too.
 */
var adamlibExplorer = window.adamlibExplorer || (function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var W = 440, H = 330, ML = 60, MR = 16, MT = 12, MB = 38;
  var COLORS = { text: "currentColor", grey: "#8c8c8c" };
  var registry = {};

  function node(tag, attrs, parent) {
    var el = document.createElementNS(SVG, tag);
    for (var k in attrs) el.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(el);
    return el;
  }

  function html(tag, cls, parent, inner) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (inner !== undefined) el.innerHTML = inner;
    if (parent) parent.appendChild(el);
    return el;
  }

  /* The arrays: base64, zlib, then four byte planes back into float32 (adamlib.explorer.pack). */
  function decode(payload) {
    var text = atob(payload.data), bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).arrayBuffer().then(function (buffer) {
      var planes = new Uint8Array(buffer), n = planes.length / 4, out = new Uint8Array(planes.length);
      for (var k = 0; k < 4; k++) for (var j = 0; j < n; j++) out[4 * j + k] = planes[k * n + j];
      var all = new Float32Array(out.buffer), pool = [], at = 0;
      payload.lengths.forEach(function (len) { pool.push(all.subarray(at, at + len)); at += len; });
      return pool;
    });
  }

  /* Axis ticks: 1-2-5 steps on a linear axis, powers of ten on a log one. */
  function ticks(lo, hi, log) {
    var out = [], k;
    if (log) {
      var a = Math.ceil(lo - 1e-9), b = Math.floor(hi + 1e-9), every = Math.max(1, Math.ceil((b - a + 1) / 7));
      for (k = a; k <= b; k++) if ((k - a) % every === 0) out.push(k);
      return out;
    }
    var span = hi - lo, raw = span / 5, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (s) { return s * mag; }).find(function (s) { return s >= raw; });
    for (k = Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step; k++) out.push(k * step);
    return out;
  }

  function tickLabel(text, value, log) {
    if (log) {
      text.textContent = "10";
      node("tspan", { dy: "-0.5em", "font-size": "0.75em" }, text).textContent =
        String(value).replace("-", "\u2212");
      return;
    }
    var s = Math.abs(value) < 1e-12 ? "0" : String(Number(value.toPrecision(6)));
    text.textContent = s.replace("-", "\u2212");
  }

  /* Liang–Barsky: the part of segment (x0,y0)-(x1,y1) inside the box, or null. */
  function clip(x0, y0, x1, y1, box) {
    var t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
    var p = [-dx, dx, -dy, dy], q = [x0 - box[0], box[1] - x0, y0 - box[2], box[3] - y0];
    for (var i = 0; i < 4; i++) {
      if (p[i] === 0) { if (q[i] < 0) return null; continue; }
      var r = q[i] / p[i];
      if (p[i] < 0) { if (r > t1) return null; if (r > t0) t0 = r; }
      else { if (r < t0) return null; if (r < t1) t1 = r; }
    }
    return [x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy];
  }

  /* The text of a label's HTML, for an SVG <title> (what a screen reader says). */
  function plain(markup) {
    var el = document.createElement("span");
    el.innerHTML = markup;
    return el.textContent;
  }

  function f(v) { return Math.round(v * 100) / 100; }

  function pathData(xs, ys, sx, sy, marker) {
    var box = [ML - 20, W - MR + 20, MT - 20, H - MB + 20], d = [], prev = null, last = null;
    var n = Math.min(xs.length, ys.length);
    for (var i = 0; i < n; i++) {
      var px = sx(xs[i]), py = sy(ys[i]);
      if (!isFinite(px) || !isFinite(py)) { prev = null; last = null; continue; }
      if (marker) {
        if (px >= box[0] && px <= box[1] && py >= box[2] && py <= box[3])
          d.push("M" + f(px - 4) + " " + f(py) + "a4 4 0 1 0 8 0a4 4 0 1 0 -8 0");
        continue;
      }
      if (last && Math.abs(px - last[0]) < 0.3 && Math.abs(py - last[1]) < 0.3) {
        continue;  // within a third of a pixel of the point drawn last: nothing to see
      }
      if (prev) {
        var c = clip(prev[0], prev[1], px, py, box);
        if (c) {
          if (!last || last[0] !== c[0] || last[1] !== c[1]) d.push("M" + f(c[0]) + " " + f(c[1]));
          d.push("L" + f(c[2]) + " " + f(c[3]));
          last = [c[2], c[3]];
        } else {
          last = null;
        }
      }
      prev = [px, py];
    }
    return d.join("");
  }

  function extent(arrays, log) {
    var lo = Infinity, hi = -Infinity;
    arrays.forEach(function (a) {
      for (var i = 0; i < a.length; i++) {
        var v = a[i];
        if (!isFinite(v) || (log && !(v > 0))) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    });
    if (!(lo <= hi)) return log ? [1e-3, 1] : [0, 1];
    if (log) return [lo, hi];
    if (hi === lo) { lo -= 0.5; hi += 0.5; }
    var pad = 0.04 * (hi - lo);
    return [lo - pad, hi + pad];
  }

  function Panel(spec, parent, uid) {
    this.spec = spec;
    var box = html("figure", "aex-panel", parent);
    this.title = html("figcaption", "aex-title", box);
    if (spec.ylabel) html("div", "aex-ylabel", box, spec.ylabel);
    var svg = node("svg", { viewBox: "0 0 " + W + " " + H, class: "aex-svg", role: "img" }, box);
    this.svg = svg;
    this.alt = node("title", {}, svg);
    this.names = spec.lines.map(function (line) { return plain(line.label); }).filter(Boolean).join(", ");
    var clipId = uid + "-clip";
    var defs = node("defs", {}, svg);
    node("rect", { x: ML, y: MT, width: W - ML - MR, height: H - MT - MB }, node("clipPath", { id: clipId }, defs));
    this.grid = node("g", { class: "aex-grid" }, svg);
    this.plot = node("g", { "clip-path": "url(#" + clipId + ")" }, svg);
    node("rect", { x: ML, y: MT, width: W - ML - MR, height: H - MT - MB, class: "aex-frame" }, svg);
    this.paths = spec.lines.map(function (line) {
      var color = COLORS[line.color] || line.color;
      var attrs = { fill: "none", stroke: color, "stroke-width": line.width * 1.3, "stroke-linejoin": "round", "stroke-linecap": "round" };
      if (line.marker) { attrs.fill = "none"; attrs["stroke-width"] = 1.5; }
      if (line.dash) attrs["stroke-dasharray"] = line.dash;
      return node("path", attrs, this.plot);
    }, this);
    if (spec.xlabel) html("div", "aex-xlabel", box, spec.xlabel);
    var legend = null;
    spec.lines.forEach(function (line, k) {
      if (!line.label) return;
      legend = legend || html("div", "aex-legend", box);
      var item = html("button", "aex-key", legend);
      item.type = "button";
      item.setAttribute("aria-pressed", "true");
      item.title = "선 보이기/숨기기";
      var swatch = html("span", "aex-swatch", item);
      swatch.style.borderTopColor = COLORS[line.color] || line.color;
      swatch.style.borderTopStyle = line.dash ? (line.dash.charAt(0) === "2" ? "dotted" : "dashed") : "solid";
      html("span", "", item, line.label);
      var path = this.paths[k];
      item.addEventListener("click", function () {
        var on = item.getAttribute("aria-pressed") !== "true";
        item.setAttribute("aria-pressed", on ? "true" : "false");
        path.style.display = on ? "" : "none";
      });
    }, this);
  }

  Panel.prototype.limits = function (lim, arrays, keys, log) {
    if (typeof lim === "string") return Array.prototype.slice.call(arrays[lim], 0, 2);
    if (lim) return lim.slice();
    return extent(keys.map(function (k) { return arrays[k]; }), log);
  };

  Panel.prototype.draw = function (arrays, readouts) {
    var s = this.spec, self = this;
    var title = s.title;
    Object.keys(readouts).forEach(function (name) { title = title.split("{" + name + "}").join(readouts[name]); });
    this.title.innerHTML = title;
    this.alt.textContent = "그래프: " + plain(title) + (this.names ? " (" + this.names + ")" : "");
    var xr = this.limits(s.xlim, arrays, s.lines.map(function (l) { return l.x; }), s.xlog);
    var yr = this.limits(s.ylim, arrays, s.lines.map(function (l) { return l.y; }), s.ylog);
    if (s.xlog) xr = xr.map(Math.log10);
    if (s.ylog) yr = yr.map(Math.log10);
    var pw = W - ML - MR, ph = H - MT - MB;
    if (s.square) {
      var kx = (xr[1] - xr[0]) / pw, ky = (yr[1] - yr[0]) / ph, k = Math.max(kx, ky);
      var cx = (xr[0] + xr[1]) / 2, cy = (yr[0] + yr[1]) / 2;
      xr = [cx - k * pw / 2, cx + k * pw / 2];
      yr = [cy - k * ph / 2, cy + k * ph / 2];
    }
    function sx(v) { return ML + ((s.xlog ? Math.log10(v) : v) - xr[0]) / (xr[1] - xr[0]) * pw; }
    function sy(v) { return MT + ph - ((s.ylog ? Math.log10(v) : v) - yr[0]) / (yr[1] - yr[0]) * ph; }
    var key = xr.join() + "|" + yr.join();
    if (key !== this.axesKey) {
      this.axesKey = key;
      while (this.grid.firstChild) this.grid.removeChild(this.grid.firstChild);
      ticks(xr[0], xr[1], s.xlog).forEach(function (v) {
        var x = ML + (v - xr[0]) / (xr[1] - xr[0]) * pw;
        if (x < ML - 0.5 || x > W - MR + 0.5) return;
        node("line", { x1: x, x2: x, y1: MT, y2: MT + ph }, self.grid);
        tickLabel(node("text", { x: x, y: H - MB + 18, "text-anchor": "middle" }, self.grid), v, s.xlog);
      });
      ticks(yr[0], yr[1], s.ylog).forEach(function (v) {
        var y = MT + ph - (v - yr[0]) / (yr[1] - yr[0]) * ph;
        if (y < MT - 0.5 || y > MT + ph + 0.5) return;
        node("line", { x1: ML, x2: ML + pw, y1: y, y2: y }, self.grid);
        tickLabel(node("text", { x: ML - 6, y: y + 5, "text-anchor": "end" }, self.grid), v, s.ylog);
      });
    }
    s.lines.forEach(function (line, k) {
      self.paths[k].setAttribute("d", pathData(arrays[line.x], arrays[line.y], sx, sy, line.marker));
    });
  };

  function start(id) {
    var root = document.getElementById(id);
    var data = document.getElementById(id + "-data");
    if (!root || !data || root.getAttribute("data-started")) return;
    root.setAttribute("data-started", "true");
    var payload = JSON.parse(data.textContent);
    if (typeof DecompressionStream === "undefined") {  // browsers before 2023
      root.querySelector(".aex-fallback").textContent =
        "이 브라우저는 탐색기의 데이터를 풀 수 없습니다(DecompressionStream이 없습니다). 최신 브라우저에서 열어 주세요.";
      return Promise.resolve();
    }
    return decode(payload).then(function (pool) { build(root, id, payload, pool); });
  }

  function build(root, id, payload, pool) {
    var controls = payload.controls, keys = payload.keys, index = controls.map(function (c) { return c.default; });
    root.innerHTML = "";
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", payload.description || payload.name);
    var form = html("div", "aex-controls", root);
    var readouts = [], marks = [];
    var inputs = controls.map(function (c, k) {
      var row = html("div", "aex-control", form), inputId = id + "-" + c.name;
      var label = html("label", "aex-label", row, c.label);
      label.htmlFor = inputId;
      var input;
      if (c.menu) {
        input = html("select", "aex-select", row);
        c.readouts.forEach(function (r, i) {
          var o = html("option", "", input);
          o.value = String(i);
          o.textContent = r;
        });
        input.value = String(c.default);
        readouts.push(null);
      } else {
        var track = html("div", "aex-track", row);
        input = html("input", "aex-range", track);
        input.type = "range";
        input.min = "0";
        input.max = String(c.readouts.length - 1);
        input.step = "1";
        input.value = String(c.default);
        if (c.adam >= 0) {
          var mark = marks[k] = html("span", "aex-default", track, "▲ Adam 기본값");
          var at = c.readouts.length > 1 ? c.adam / (c.readouts.length - 1) : 0.5;
          mark.style.left = "calc(9px + (100% - 18px) * " + at + ")";
          mark.setAttribute("aria-hidden", "true");
        }
        var out = html("output", "aex-readout", row);
        out.htmlFor = inputId;
        readouts.push(out);
      }
      input.id = inputId;
      input.addEventListener("input", function () { index[k] = Number(input.value); redraw(); });
      return input;
    });
    var figures = html("div", "aex-panels", root);
    var panels = payload.panels.map(function (spec, k) { return new Panel(spec, figures, id + "-" + k); });
    var times = [];

    function current() {
      var row = 0;
      controls.forEach(function (c, k) { row = row * c.readouts.length + index[k]; });
      var arrays = {};
      keys.forEach(function (key, j) { arrays[key] = pool[payload.table[row * keys.length + j]]; });
      return arrays;
    }

    function redraw() {
      var t0 = performance.now();
      var arrays = current(), shown = {};
      controls.forEach(function (c, k) {
        var r = c.readouts[index[k]];
        shown[c.name] = r;
        if (readouts[k]) {
          var atAdam = index[k] === c.adam;
          readouts[k].textContent = r;
          inputs[k].setAttribute("aria-valuetext", r + (atAdam ? " (Adam 기본값)" : ""));
          if (marks[k]) marks[k].classList.toggle("aex-at", atAdam);
        }
      });
      panels.forEach(function (p) { p.draw(arrays, shown); });
      times.push(performance.now() - t0);
    }

    redraw();
    registry[payload.name] = {
      root: root,
      inputs: inputs,
      times: times,
      setting: function () {
        var out = {};
        controls.forEach(function (c, k) { out[c.name] = c.readouts[index[k]]; });
        return out;
      },
      arrays: function () {
        var a = current(), out = {};
        Object.keys(a).forEach(function (k) { out[k] = Array.prototype.map.call(a[k], Number); });
        return out;
      },
    };
    root.setAttribute("data-ready", "true");
  }

  return { start: start, registry: registry };
})();
window.adamlibExplorer = adamlibExplorer;
