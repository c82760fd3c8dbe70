//===- Report.cpp - The HTML plan report of dl-compile ------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file writes OUTDIR/report.html. The page embeds its data as JSON
// and draws it with a small inline script: no network, no external files.
// The script records any error (window.onerror, console.error, exceptions)
// in #errors and ends by writing a completion marker in #status, so a
// headless browser's DOM dump tells whether the page rendered.
//
//===----------------------------------------------------------------------===//

#include "lib/Driver/Report.h"
#include "dl/Target/Cpp.h"
#include "dialects/DL/DLOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::dl;

std::vector<int64_t> mlir::dl::parameterBytesPerDevice(ModuleOp module,
                                                       int64_t numDevices) {
  std::vector<int64_t> bytes(numDevices, 0);
  for (auto fn : module.getOps<func::FuncOp>()) {
    std::optional<int64_t> device = getDeviceOfFunction(fn);
    if (!device || *device < 0 || *device >= numDevices)
      continue;
    llvm::StringSet<> seen;
    fn.walk([&](ParamOp p) {
      if (seen.insert(p.getName()).second)
        bytes[*device] +=
            cast<RankedTensorType>(p.getType()).getNumElements() *
            cost::kElementBytes;
    });
  }
  return bytes;
}

llvm::json::Value mlir::dl::reportData(const ReportInputs &in) {
  const Cluster &cluster = *in.cluster;
  int64_t n = cluster.size();

  llvm::json::Array devices;
  for (int64_t d = 0; d < n; ++d) {
    const ClusterDevice &dev = cluster.devices[d];
    llvm::json::Object o{
        {"name", dev.name},
        {"kind", stringifyDeviceKind(dev.kind)},
        {"host", dev.host},
        {"memory_bytes", dev.memory},
        {"flops", dev.flops},
        {"param_bytes", d < int64_t(in.paramBytes.size()) ? in.paramBytes[d]
                                                           : int64_t(0)}};
    if (in.evaluation && d < int64_t(in.evaluation->devices.size())) {
      const search::DeviceReport &r = in.evaluation->devices[d];
      o["predicted_weight_bytes"] = r.weights;
      o["predicted_activation_bytes"] = r.peakActivations;
      o["predicted_compute_s"] = r.compute;
      o["predicted_comm_s"] = r.comm;
      o["predicted_idle_s"] = r.idle;
    }
    devices.push_back(std::move(o));
  }

  // Sender x receiver bytes, as the runtime counts them.
  llvm::json::Array matrix;
  for (int64_t from = 0; from < n; ++from) {
    llvm::json::Array row;
    for (int64_t to = 0; to < n; ++to) {
      int64_t b = 0;
      if (in.traffic) {
        auto it = in.traffic->find(from);
        if (it != in.traffic->end()) {
          auto peer = it->second.sentTo.find(to);
          if (peer != it->second.sentTo.end())
            b = peer->second;
        }
      }
      row.push_back(b);
    }
    matrix.push_back(std::move(row));
  }

  llvm::json::Value timeline = nullptr;
  if (in.timeline && in.evaluation) {
    llvm::json::Array steps, intervals;
    for (const search::TimelineStep &s : in.timeline->steps) {
      llvm::json::Array names;
      for (int64_t k = 0; k < s.span; ++k)
        if (s.node + k < int64_t(in.nodeNames.size()))
          names.push_back(in.nodeNames[s.node + k]);
      steps.push_back(llvm::json::Object{{"node", s.node},
                                         {"span", s.span},
                                         {"layers", std::move(names)},
                                         {"scheme", s.scheme},
                                         {"start_s", s.start},
                                         {"compute_start_s", s.computeStart},
                                         {"end_s", s.end}});
    }
    for (const search::TimelineInterval &iv : in.timeline->intervals)
      intervals.push_back(llvm::json::Object{{"device", iv.device},
                                             {"step", iv.step},
                                             {"kind", iv.kind},
                                             {"start_s", iv.start},
                                             {"end_s", iv.end},
                                             {"bytes", iv.bytes}});
    double end = in.timeline->steps.empty() ? 0 : in.timeline->steps.back().end;
    timeline = llvm::json::Object{{"end_s", end},
                                  {"bytes", in.evaluation->bytes},
                                  {"steps", std::move(steps)},
                                  {"intervals", std::move(intervals)}};
  }

  return llvm::json::Object{{"plan", in.plan},
                            {"devices", std::move(devices)},
                            {"bytes_matrix", std::move(matrix)},
                            {"timeline", std::move(timeline)}};
}

namespace {

const char *const kHead = R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>dl plan report</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1100px; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th { background: #f4f4f4; }
td.l, th.l { text-align: left; }
.summary td { border: none; padding: 1px 12px 1px 0; text-align: left; }
.note { color: #666; font-size: 12px; }
.errors:empty { display: none; }
.errors { color: #b00; white-space: pre-wrap; border: 1px solid #b00; padding: 8px; }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -2px; }
svg text { font: 12px system-ui, sans-serif; fill: #222; }
svg text.small { font-size: 10px; fill: #555; }
#status { color: #999; font-size: 11px; margin-top: 24px; }
</style>
</head>
<body>
<h1>dl plan report</h1>
<div id="errors" class="errors" data-count="0"></div>
<table class="summary" id="summary"></table>
<h2>Predicted timeline</h2>
<p class="note">The cost model's bulk-synchronous schedule: each step first
redistributes its operands (collectives, in order), then every device
computes its part. The last step assembles the outputs on device 0. Hover a
bar for the layer, the operation and the times.</p>
<div id="gantt"></div>
<h2>Memory per device</h2>
<p class="note">Parameters of each device program (from the partitioned
programs) and the cost model's peak of live activations and buffers, against
the device's capacity from the cluster description. All bars share one
scale; a capacity far beyond the largest use is given as text only.</p>
<div id="memory"></div>
<h2>Bytes between devices</h2>
<p class="note">Bytes each device sends to each peer, predicted by the
communication analysis of the device programs (dl-verify-comm), counted as
the runtime counts them.</p>
<div id="traffic"></div>
<h2>Layers</h2>
<div id="layers"></div>
<div id="status">pending</div>
)HTML";

const char *const kScript = R"JS(<script>
(function () {
  'use strict';
  var errorList = [];
  function recordError(message) {
    errorList.push(String(message));
    var e = document.getElementById('errors');
    e.textContent = errorList.join('\n');
    e.setAttribute('data-count', String(errorList.length));
  }
  window.onerror = function (message, source, line, column) {
    recordError('error: ' + message + ' (line ' + line + ':' + column + ')');
  };
  var consoleError = console.error;
  console.error = function () {
    recordError('console.error: ' + Array.prototype.join.call(arguments, ' '));
    consoleError.apply(console, arguments);
  };

  var SVG = 'http://www.w3.org/2000/svg';
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svgEl(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmtBytes(b) {
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'], i = 0;
    while (Math.abs(b) >= 1024 && i < units.length - 1) { b /= 1024; ++i; }
    return (i ? b.toFixed(b < 10 ? 2 : 1) : String(b)) + ' ' + units[i];
  }
  function timeUnit(span) {
    if (span >= 1) return [1, 's'];
    if (span >= 1e-3) return [1e3, 'ms'];
    return [1e6, '\u00b5s'];
  }
  function fmtTime(s, unit) {
    unit = unit || timeUnit(s);
    var v = s * unit[0];
    return (v >= 100 ? v.toFixed(1) : v.toFixed(3)) + ' ' + unit[1];
  }
  var colors = {
    compute: '#4e79a7', all_reduce: '#f28e2b', all_gather: '#e15759',
    halo_exchange: '#59a14f', send_recv: '#b07aa1', internal: '#edc948'
  };
  function legend(kinds) {
    var p = el('div', { 'class': 'legend' });
    kinds.forEach(function (k) {
      var s = el('span');
      s.appendChild(el('i', { style: 'background:' + (colors[k] || '#999') }));
      s.appendChild(document.createTextNode(k.replace('_', ' ')));
      p.appendChild(s);
    });
    return p;
  }

  function renderSummary(data) {
    var plan = data.plan, t = document.getElementById('summary');
    var rows = [
      ['model', plan.model], ['cluster', plan.cluster + ' (' + plan.devices + ' devices)'],
      ['scheme', plan.scheme], ['objective', plan.objective],
      ['micro-batches', plan.microbatches],
      ['predicted latency', plan.predicted_latency_s === null ? 'not predicted'
                              : fmtTime(plan.predicted_latency_s)]];
    if (plan.simulated_latency_s !== null && plan.simulated_latency_s !== undefined)
      rows.push(['simulated latency (per-rank events)', fmtTime(plan.simulated_latency_s)]);
    if (data.timeline) rows.push(['predicted bytes moved', fmtBytes(data.timeline.bytes)]);
    rows.forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('td', {}, r[0]));
      tr.appendChild(el('td', {}, String(r[1])));
      t.appendChild(tr);
    });
  }

  function renderGantt(data) {
    var host = document.getElementById('gantt'), tl = data.timeline;
    if (!tl) {
      host.appendChild(el('p', { id: 'no-timeline' }, 'The cost model cannot ' +
        'price these plans layer by layer (hand-written plans that are not ' +
        'search candidates, or a pipeline with micro-batches): no timeline.'));
      return;
    }
    var devices = data.devices, end = tl.end_s || 1e-12;
    var left = 130, width = 1000, plotW = width - left - 40, rowH = 28, top = 24;
    var height = top + devices.length * rowH + 34;
    var unit = timeUnit(end);
    var x = function (t) { return left + plotW * t / end; };
    var svg = svgEl('svg', { width: width, height: height, id: 'gantt-svg',
      'data-end-s': String(tl.end_s), viewBox: '0 0 ' + width + ' ' + height });
    // Alternate step backgrounds, titled with their layers.
    tl.steps.forEach(function (s, i) {
      var label = s.node < 0 ? s.scheme : s.layers.join(', ') + ' (' + s.scheme + ')';
      var r = svgEl('rect', { x: x(s.start_s), y: top - 4,
        width: Math.max(0, x(s.end_s) - x(s.start_s)),
        height: devices.length * rowH + 4, fill: i % 2 ? '#f6f6f6' : '#ffffff' });
      r.appendChild(svgEl('title', {}, label + ': ' + fmtTime(s.start_s, unit) +
        ' \u2013 ' + fmtTime(s.end_s, unit)));
      svg.appendChild(r);
    });
    devices.forEach(function (d, i) {
      var y = top + i * rowH;
      svg.appendChild(svgEl('text', { x: left - 8, y: y + rowH / 2 + 4,
        'text-anchor': 'end', 'class': 'device' }, d.name));
      svg.appendChild(svgEl('line', { x1: left, x2: left + plotW,
        y1: y + rowH - 2, y2: y + rowH - 2, stroke: '#e4e4e4' }));
    });
    var kinds = {};
    tl.intervals.forEach(function (iv) {
      kinds[iv.kind] = true;
      var s = tl.steps[iv.step];
      var label = s.node < 0 ? s.scheme : s.layers.join(', ');
      var r = svgEl('rect', { x: x(iv.start_s), y: top + iv.device * rowH + 3,
        width: Math.max(0.5, x(iv.end_s) - x(iv.start_s)), height: rowH - 10,
        fill: colors[iv.kind] || '#999', 'class': 'interval',
        'data-device': String(iv.device), 'data-kind': iv.kind,
        'data-start-s': String(iv.start_s), 'data-end-s': String(iv.end_s) });
      r.appendChild(svgEl('title', {}, data.devices[iv.device].name + ': ' +
        label + ' \u2013 ' + iv.kind.replace('_', ' ') +
        (iv.bytes ? ' (' + fmtBytes(iv.bytes) + ')' : '') + ', ' +
        fmtTime(iv.start_s, unit) + ' \u2013 ' + fmtTime(iv.end_s, unit)));
      svg.appendChild(r);
    });
    // Time axis.
    var axisY = top + devices.length * rowH + 4;
    svg.appendChild(svgEl('line', { x1: left, x2: left + plotW, y1: axisY,
      y2: axisY, stroke: '#888' }));
    var raw = end / 5, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (m) { return m * mag; })
      .filter(function (v) { return v >= raw; })[0];
    for (var t = 0; t <= end * (1 + 1e-9); t += step) {
      svg.appendChild(svgEl('line', { x1: x(t), x2: x(t), y1: axisY,
        y2: axisY + 5, stroke: '#888' }));
      svg.appendChild(svgEl('text', { x: x(t), y: axisY + 18,
        'text-anchor': 'middle', 'class': 'small' }, fmtTime(t, unit)));
    }
    svg.appendChild(svgEl('text', { x: left + plotW, y: 14, 'text-anchor': 'end',
      id: 'gantt-end' }, 'end ' + fmtTime(tl.end_s, unit)));
    host.appendChild(legend(Object.keys(kinds).sort()));
    host.appendChild(svg);
  }

  function renderMemory(data) {
    var host = document.getElementById('memory'), devices = data.devices;
    var left = 130, width = 1000, barW = 480, rowH = 26;
    var height = devices.length * rowH + 8;
    var svg = svgEl('svg', { width: width, height: height, id: 'memory-svg',
      viewBox: '0 0 ' + width + ' ' + height });
    // One scale for all rows: the largest use, or a capacity close to it
    // (a capacity thousands of times the use would flatten every bar).
    var use = function (d) { return d.param_bytes + (d.predicted_activation_bytes || 0); };
    var scale = 1;
    devices.forEach(function (d) {
      scale = Math.max(scale, use(d) * 1.05);
      if (d.memory_bytes > 0 && d.memory_bytes <= 4 * use(d))
        scale = Math.max(scale, d.memory_bytes * 1.05);
    });
    var sx = function (b) { return b > 0 ? Math.max(1, barW * Math.min(b, scale) / scale) : 0; };
    devices.forEach(function (d, i) {
      var y = 4 + i * rowH, act = d.predicted_activation_bytes || 0;
      svg.appendChild(svgEl('text', { x: left - 8, y: y + 15, 'text-anchor': 'end',
        'class': 'device' }, d.name));
      svg.appendChild(svgEl('rect', { x: left, y: y + 2, width: barW,
        height: rowH - 8, fill: '#f7f7f7', stroke: '#ddd' }));
      svg.appendChild(svgEl('rect', { x: left, y: y + 2, width: sx(d.param_bytes),
        height: rowH - 8, fill: '#4e79a7', 'class': 'param-bar',
        'data-device': String(i), 'data-bytes': String(d.param_bytes) }));
      svg.appendChild(svgEl('rect', { x: left + sx(d.param_bytes), y: y + 2,
        width: sx(act), height: rowH - 8, fill: '#a0cbe8',
        'data-device': String(i), 'data-bytes': String(act) }));
      var over = d.memory_bytes > 0 && use(d) > d.memory_bytes;
      if (d.memory_bytes > 0 && d.memory_bytes <= scale)
        svg.appendChild(svgEl('line', { x1: left + sx(d.memory_bytes),
          x2: left + sx(d.memory_bytes), y1: y, y2: y + rowH - 4,
          stroke: '#d62728', 'stroke-width': 2, 'class': 'capacity' }));
      var text = fmtBytes(d.param_bytes) + ' parameters' +
        (d.predicted_activation_bytes !== undefined ? ' + ' + fmtBytes(act) +
          ' activations' : '') + ' of ' +
        (d.memory_bytes > 0 ? fmtBytes(d.memory_bytes) + ' (' +
          (100 * use(d) / d.memory_bytes).toPrecision(2) + '%)' : 'unlimited') +
        (over ? ' \u2013 OVER CAPACITY' : '');
      svg.appendChild(svgEl('text', { x: left + barW + 10, y: y + 15,
        'class': 'small', 'data-capacity': String(d.memory_bytes),
        style: over ? 'fill: #d62728' : '' }, text));
    });
    var lg = el('div', { 'class': 'legend' });
    [['#4e79a7', 'parameters'], ['#a0cbe8', 'peak activations (cost model)'],
     ['#d62728', 'capacity (when on the scale)']].forEach(function (c) {
      var s = el('span');
      s.appendChild(el('i', { style: 'background:' + c[0] }));
      s.appendChild(document.createTextNode(c[1]));
      lg.appendChild(s);
    });
    host.appendChild(lg);
    host.appendChild(svg);
  }

  function renderTraffic(data) {
    var host = document.getElementById('traffic'), m = data.bytes_matrix;
    var names = data.devices.map(function (d) { return d.name; });
    var max = 0;
    m.forEach(function (row) { row.forEach(function (b) { max = Math.max(max, b); }); });
    var t = el('table', { id: 'bytes-matrix' }), head = el('tr');
    head.appendChild(el('th', { 'class': 'l' }, 'from \\ to'));
    names.forEach(function (n) { head.appendChild(el('th', {}, n)); });
    head.appendChild(el('th', {}, 'sent'));
    t.appendChild(head);
    var colSums = names.map(function () { return 0; });
    m.forEach(function (row, i) {
      var tr = el('tr'), sum = 0;
      tr.appendChild(el('th', { 'class': 'l' }, names[i]));
      row.forEach(function (b, j) {
        sum += b; colSums[j] += b;
        var a = max > 0 ? 0.08 + 0.6 * b / max : 0;
        tr.appendChild(el('td', { 'data-from': String(i), 'data-to': String(j),
          'data-bytes': String(b),
          style: b > 0 ? 'background: rgba(242,142,43,' + a.toFixed(3) + ')' : '' },
          b > 0 ? fmtBytes(b) : (i === j ? '\u2013' : '0')));
      });
      tr.appendChild(el('td', { 'data-sent': String(sum) }, fmtBytes(sum)));
      t.appendChild(tr);
    });
    var foot = el('tr');
    foot.appendChild(el('th', { 'class': 'l' }, 'received'));
    colSums.forEach(function (b, j) {
      foot.appendChild(el('td', { 'data-received': String(b) }, fmtBytes(b)));
    });
    foot.appendChild(el('td'));
    t.appendChild(foot);
    host.appendChild(t);
  }

  function renderLayers(data) {
    var host = document.getElementById('layers'), layers = data.plan.layers;
    var tl = data.timeline, byLayer = {};
    if (tl) tl.steps.forEach(function (s) {
      if (s.node < 0) return;
      for (var k = 0; k < s.span; ++k) byLayer[s.node + k] = { step: s, first: k === 0 };
    });
    var t = el('table', { id: 'layer-table' }), head = el('tr');
    ['#', 'layer', 'op', 'FLOPs', 'parameters', 'plan', 'cost-model scheme',
     'predicted time', 'of which communication'].forEach(function (h, i) {
      head.appendChild(el('th', { 'class': i >= 1 && i <= 2 || i >= 5 && i <= 6 ? 'l' : '' }, h));
    });
    t.appendChild(head);
    layers.forEach(function (l, i) {
      var tr = el('tr', { 'class': 'layer', 'data-name': l.name });
      var s = byLayer[i];
      var cells = [String(i), l.name, l.op, Number(l.flops).toLocaleString('en-US'),
        fmtBytes(l.param_bytes), l.plan,
        s ? (s.first ? s.step.scheme : '\u21b3 fused with ' + s.step.layers[0]) : '',
        s && s.first ? fmtTime(s.step.end_s - s.step.start_s) : '',
        s && s.first ? fmtTime(s.step.compute_start_s - s.step.start_s) : ''];
      cells.forEach(function (c, k) {
        tr.appendChild(el('td', { 'class': k >= 1 && k <= 2 || k >= 5 && k <= 6 ? 'l' : '' }, c));
      });
      t.appendChild(tr);
    });
    host.appendChild(t);
  }

  try {
    var data = JSON.parse(document.getElementById('report-data').textContent);
    document.title = 'dl plan report: ' + data.plan.model + ' on ' + data.plan.cluster;
    renderSummary(data);
    renderGantt(data);
    renderMemory(data);
    renderTraffic(data);
    renderLayers(data);
  } catch (e) {
    recordError('exception: ' + e + (e && e.stack ? '\n' + e.stack : ''));
  }
  var status = document.getElementById('status');
  status.setAttribute('data-errors', String(errorList.length));
  status.textContent = errorList.length ? 'report-failed' : 'report-rendered';
})();
</script>
</body>
</html>
)JS";

} // namespace

LogicalResult mlir::dl::writeReport(const ReportInputs &inputs,
                                    StringRef path, std::string &error) {
  std::string json;
  {
    llvm::raw_string_ostream os(json);
    os << reportData(inputs);
  }
  // Inside <script>, "</" could end the element: JSON allows "<\/".
  std::string escaped;
  escaped.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    escaped += json[i];
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/')
      escaped += '\\';
  }
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    error = "cannot write '" + path.str() + "': " + ec.message();
    return failure();
  }
  os << kHead << "<script type=\"application/json\" id=\"report-data\">"
     << escaped << "</script>\n"
     << kScript;
  return success();
}
