/* PII Reports — what-if simulator (plain JavaScript, no network, no framework).
 *
 * Reads the JSON model that the analysis wrote into the page (pii_lib.method.whatif) and
 * recomputes, for the scores set on the sliders, what pii_lib.method.whatif.evaluate computes:
 *   PII      = PII today + Σ w·(x − s)                 (effective weights w)
 *   pillar   = pillar today + Σ (x − s)·w / w_pillar   (the same for IN and OUT)
 *   rank     = [1 + #(lo > PII), 1 + #(hi > PII)] over the other provinces' score bounds
 *              (PII rounded to 6 decimals first when every province's score is known)
 *   gap      = score of the goal rank − PII
 * Numbers are computed at full precision and formatted at the end in the report's language.
 */
(function () {
  "use strict";

  var MINUS = "\u2212";

  function fill(template, args) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(args, name) ? String(args[name]) : all;
    });
  }

  function formatNumber(x, decimals, lang) {
    if (x === null || x === undefined || !isFinite(x)) return "\u2014";
    if (Number(Math.abs(x).toFixed(decimals)) === 0) x = 0;  // no "−0,00"
    var parts = Math.abs(x).toFixed(decimals).split(".");
    var thousands = lang === "vi" ? "." : ",";
    var point = lang === "vi" ? "," : ".";
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, thousands);
    return (x < 0 ? MINUS : "") + whole + (parts.length > 1 ? point + parts[1] : "");
  }

  function formatSigned(x, decimals, lang) {
    var text = formatNumber(x, decimals, lang);
    if (x === null || x === undefined || !isFinite(x)) return text;
    return text.charAt(0) === MINUS || Number(Math.abs(x).toFixed(decimals)) === 0 ? text
      : "+" + text;
  }

  function parseScore(text) {
    var clean = String(text).replace(/[\s\u00a0]/g, "").replace(MINUS, "-").replace(",", ".");
    if (!/^-?\d*\.?\d+$|^-?\d+\.$/.test(clean)) return null;
    var value = parseFloat(clean);
    if (!isFinite(value) || value < 0 || value > 100) return null;
    return value;
  }

  function scoreToRaw(score, ind) {
    if (ind.national_min === null || ind.national_max === null) return null;
    var frac = ind.direction >= 0 ? score / 100 : 1 - score / 100;
    return ind.national_min + frac * (ind.national_max - ind.national_min);
  }

  function roundTo(x, decimals) {  // as Python's round(): from the exact value of x
    return Number(x.toFixed(decimals));
  }

  function rankOf(bounds, score) {
    var s = bounds.exact ? roundTo(score, bounds.decimals) : score;
    var best = 1, worst = 1;
    for (var k = 0; k < bounds.others.length; k++) {
      if (bounds.others[k][0] > s) best += 1;
      if (bounds.others[k][1] > s) worst += 1;
    }
    if (!bounds.exact && bounds.own_rank !== null && bounds.own_score !== null) {
      // others held fixed: a higher score never ranks worse, a lower one never better
      if (score >= bounds.own_score) worst = Math.min(worst, bounds.own_rank);
      if (score <= bounds.own_score) best = Math.max(best, bounds.own_rank);
      best = Math.min(best, worst);
    }
    return [best, worst];
  }

  function nodeValue(node, deltas) {
    if (!deltas.length) return node.score;
    if (node.score === null || !node.weight) return null;
    var value = 0;
    for (var k = 0; k < deltas.length; k++) value += deltas[k][0] * deltas[k][1] / node.weight;
    return node.score + value;
  }

  /* The same as pii_lib.method.whatif.evaluate. */
  function evaluate(model, values) {
    var changed = [];
    model.indicators.forEach(function (ind, k) {
      if (values[k] !== ind.score) changed.push([values[k] - ind.score, ind]);
    });
    var pii = null;
    if (model.pii !== null) {
      var delta = 0;
      for (var k = 0; k < changed.length; k++) delta += changed[k][1].weight * changed[k][0];
      pii = model.pii + delta;
    }
    var rank = null;
    if (pii !== null) {
      rank = !changed.length && model.rank_today ? model.rank_today : rankOf(model.rank, pii);
    }
    function nodes(items, key) {
      var out = {};
      items.forEach(function (node) {
        var deltas = changed.filter(function (c) { return c[1][key] === node.code; })
          .map(function (c) { return [c[0], c[1].weight]; });
        out[node.code] = nodeValue(node, deltas);
      });
      return out;
    }
    return {
      pii: pii, rank: rank, subindices: nodes(model.subindices, "subindex"),
      pillars: nodes(model.pillars, "pillar"),
      gap: pii === null || model.goal_threshold === null ? null : model.goal_threshold - pii
    };
  }

  function rankText(text, rank, n) {
    if (!rank) return text.rank_unknown;
    if (rank[0] === rank[1]) return fill(text.rank_exact, {rank: rank[0], n: n});
    if (rank[0] <= 1 && rank[1] >= n) return text.rank_unknown;
    return fill(text.rank_interval, {best: rank[0], worst: rank[1], n: n});
  }

  function setup(section) {
    if (section.getAttribute("data-whatif-ready")) return;
    var source = section.querySelector("script.whatif-model");
    if (!source) return;
    var page = JSON.parse(source.textContent);
    var model = page.model, text = page.text, lang = page.lang;
    var values = model.indicators.map(function (ind) { return ind.score; });
    var rows = [];
    section.querySelectorAll("tr[data-wi]").forEach(function (tr) {
      rows[Number(tr.getAttribute("data-wi"))] = {
        slider: tr.querySelector("input.wi-slider"), box: tr.querySelector("input.wi-box"),
        raw: tr.querySelector(".wi-raw"), row: tr
      };
    });
    function out(name) { return section.querySelector('[data-out="' + name + '"]'); }
    function put(name, value) { var el = out(name); if (el) el.textContent = value; }

    function show() {
      var r = evaluate(model, values);
      put("pii", formatNumber(r.pii, 2, lang));
      var moved = values.some(function (v, k) { return v !== model.indicators[k].score; });
      put("pii-delta", r.pii === null || !moved ? "" : fill(text.delta, {
        delta: formatSigned(r.pii - model.pii, 2, lang)}));
      put("rank", r.pii === null ? text.rank_unknown : rankText(text, r.rank, model.n));
      Object.keys(r.subindices).forEach(function (code) {
        put("sub-" + code, formatNumber(r.subindices[code], 2, lang));
      });
      Object.keys(r.pillars).forEach(function (code) {
        put("pillar-" + code, formatNumber(r.pillars[code], 2, lang));
      });
      var gap = "\u2014";
      if (r.gap !== null) {
        var ahead = formatNumber(-r.gap, 2, lang);
        gap = r.gap > 1e-9 ? fill(text.gap_needed, {points: formatNumber(r.gap, 2, lang)})
          : ahead === formatNumber(0, 2, lang) ? text.reached  // exactly at the goal's score
          : fill(text.gap_reached, {points: ahead});
      } else if (r.rank) {
        gap = r.rank[1] <= model.goal_rank ? text.reached
          : r.rank[0] > model.goal_rank ? text.not_reached : "\u2014";
      }
      put("gap", gap);
      var el = out("gap");
      if (el) el.setAttribute("data-met", r.gap !== null ? String(r.gap <= 1e-9) : "");
      model.indicators.forEach(function (ind, k) {
        var row = rows[k];
        if (!row) return;
        row.row.classList.toggle("wi-changed", values[k] !== ind.score);
        if (row.raw && ind.national_min !== null) {
          var unit = page.units[ind.code] || "";
          row.raw.textContent = formatNumber(scoreToRaw(values[k], ind), 2, lang) +
            (unit ? " " + unit : "");
        }
      });
    }

    function setRow(k, value, from) {
      values[k] = value;
      var row = rows[k];
      if (!row) return;
      if (from !== "slider") row.slider.value = String(value);
      if (from !== "box") {
        row.box.value = formatNumber(value, 2, lang);
        row.box.removeAttribute("aria-invalid");
      }
    }

    function preset(name) {
      model.indicators.forEach(function (ind, k) {
        var value = ind.score;
        if (name === "plan" && ind.target !== null) value = ind.target;
        setRow(k, value);
      });
      if (name === "cheapest") {
        model.cheapest_path.forEach(function (step) {
          model.indicators.forEach(function (ind, k) { if (ind.code === step[0]) setRow(k, step[1]); });
        });
      }
      section.querySelectorAll("button[data-preset]").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-preset") === name));
      });
      show();
    }

    function unpress() {
      section.querySelectorAll("button[data-preset]").forEach(function (b) {
        b.setAttribute("aria-pressed", "false");
      });
    }

    rows.forEach(function (row, k) {
      if (!row) return;
      row.slider.addEventListener("input", function () {
        setRow(k, parseFloat(row.slider.value), "slider");
        row.box.value = formatNumber(values[k], 2, lang);
        row.box.removeAttribute("aria-invalid");
        unpress();
        show();
      });
      row.box.addEventListener("input", function () {
        var value = parseScore(row.box.value);
        if (value === null) { row.box.setAttribute("aria-invalid", "true"); return; }
        row.box.removeAttribute("aria-invalid");
        setRow(k, value, "box");
        unpress();
        show();
      });
      row.box.addEventListener("change", function () {
        row.box.value = formatNumber(values[k], 2, lang);
        row.box.removeAttribute("aria-invalid");
      });
    });
    section.querySelectorAll("button[data-preset]").forEach(function (b) {
      b.disabled = false;
      b.addEventListener("click", function () { preset(b.getAttribute("data-preset")); });
    });
    section.classList.add("wi-live");
    section.setAttribute("data-whatif-ready", "1");
    show();
  }

  function start() {
    document.querySelectorAll("section.whatif").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
