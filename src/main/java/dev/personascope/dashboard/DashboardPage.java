package dev.personascope.dashboard;

import dev.personascope.report.Xml;

/**
 * The dashboard's one page: inline CSS and JavaScript, no external resources. The script listens to
 * {@code /events} and redraws two SVG charts with polylines: {@code #loss-chart} (one series, the
 * loss) and {@code #watched-chart} (one series per watched direction, {@code polyline.series
 * [data-name=...]}). Values are kept per step, so two events for one step (the trainer's loss and
 * the monitor's readings) make one point. {@code #step} shows the latest step, {@code #alarm} is a
 * banner hidden until an alarm, {@code #status} the connection state.
 */
final class DashboardPage {
    private DashboardPage() {
    }

    static String html(String title) {
        return PAGE.replace("{{TITLE}}", Xml.escape(title));
    }

    private static final String PAGE = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>{{TITLE}}</title>
            <link rel="icon" href="data:,">
            <style>
            body { font-family: sans-serif; max-width: 960px; margin: 1.5em auto; padding: 0 1em; color: #222; }
            [hidden] { display: none !important; }
            #alarm { background: #c0392b; color: #fff; padding: 10px 14px; border-radius: 4px; font-weight: bold; }
            .stats { color: #444; margin: 0.5em 0 1em; } .stats span { margin-right: 1.5em; }
            svg.live { border: 1px solid #ddd; background: #fff; }
            .legend { list-style: none; padding: 0; } .legend li { display: inline-block; margin-right: 1.2em; }
            .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: middle; }
            </style>
            </head>
            <body>
            <h1>{{TITLE}}</h1>
            <div id="alarm" role="alert" hidden></div>
            <div class="stats"><span>step <b id="step">-</b></span><span>loss <b id="loss">-</b></span>
            <span id="status">connecting</span></div>
            <h2>Loss</h2>
            <svg id="loss-chart" class="live" width="720" height="260" viewBox="0 0 720 260"></svg>
            <h2>Watched persona directions</h2>
            <svg id="watched-chart" class="live" width="720" height="260" viewBox="0 0 720 260"></svg>
            <ul id="watched-legend" class="legend"></ul>
            <script>
            "use strict";
            const NS = "http://www.w3.org/2000/svg";
            const COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
            const W = 720, H = 260, L = 64, R = 16, T = 14, B = 34;
            const loss = new Map([["loss", new Map()]]);  // series name -> (step -> value)
            const watched = new Map();
            const alarms = [];
            let lastId = -1, lastStep = null, timer = null;

            function fmt(v) {
              return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
            }

            function el(parent, tag, attrs, text) {
              const e = document.createElementNS(NS, tag);
              for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
              if (text !== undefined) e.textContent = text;
              parent.appendChild(e);
              return e;
            }

            function draw(svg, seriesMap) {
              svg.replaceChildren();
              let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
              for (const points of seriesMap.values()) {
                for (const [x, y] of points) {
                  x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
                }
              }
              if (x0 > x1) { x0 = 0; x1 = 1; y0 = 0; y1 = 1; }
              if (x1 === x0) x1 = x0 + 1;
              if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
              const sx = x => L + (x - x0) / (x1 - x0) * (W - L - R);
              const sy = y => H - B - (y - y0) / (y1 - y0) * (H - T - B);
              el(svg, "line", {x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: "#444"});
              el(svg, "line", {x1: L, x2: L, y1: T, y2: H - B, stroke: "#444"});
              el(svg, "text", {class: "y-max", x: L - 6, y: T + 4, "text-anchor": "end", "font-size": 12}, fmt(y1));
              el(svg, "text", {class: "y-min", x: L - 6, y: H - B, "text-anchor": "end", "font-size": 12}, fmt(y0));
              el(svg, "text", {class: "x-min", x: L, y: H - B + 16, "text-anchor": "middle", "font-size": 12}, fmt(x0));
              el(svg, "text", {class: "x-max", x: W - R, y: H - B + 16, "text-anchor": "end", "font-size": 12}, fmt(x1));
              el(svg, "text", {x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle", "font-size": 12}, "step");
              for (const a of alarms) {
                if (a.step < x0 || a.step > x1) continue;
                el(svg, "line", {class: "alarm-marker", x1: sx(a.step), x2: sx(a.step), y1: T, y2: H - B,
                  stroke: "#c0392b", "stroke-dasharray": "5 4"});
              }
              let i = 0;
              for (const [name, points] of seriesMap) {
                const steps = [...points.keys()].sort((a, b) => a - b);
                const pts = steps.map(s => sx(s).toFixed(1) + "," + sy(points.get(s)).toFixed(1)).join(" ");
                el(svg, "polyline", {class: "series", "data-name": name, points: pts, fill: "none",
                  stroke: COLORS[i++ % COLORS.length], "stroke-width": 2, "stroke-linejoin": "round"});
              }
            }

            function legend() {
              const ul = document.getElementById("watched-legend");
              ul.replaceChildren();
              let i = 0;
              for (const name of watched.keys()) {
                const li = document.createElement("li");
                li.dataset.name = name;
                const sw = document.createElement("span");
                sw.className = "swatch";
                sw.style.background = COLORS[i++ % COLORS.length];
                li.append(sw, name);
                ul.appendChild(li);
              }
            }

            function redraw() {
              timer = null;
              draw(document.getElementById("loss-chart"), loss);
              draw(document.getElementById("watched-chart"), watched);
              legend();
            }

            function onEvent(e) {
              if (e.loss !== null) { loss.get("loss").set(e.step, e.loss); document.getElementById("loss").textContent = fmt(e.loss); }
              for (const [name, v] of Object.entries(e.watched || {})) {
                if (v === null) continue;
                if (!watched.has(name)) watched.set(name, new Map());
                watched.get(name).set(e.step, v);
              }
              if (lastStep === null || e.step > lastStep) {
                lastStep = e.step;
                document.getElementById("step").textContent = e.step;
              }
              if (e.alarm) {
                alarms.push(e.alarm);
                const a = e.alarm, banner = document.getElementById("alarm");
                banner.textContent = "ALARM at step " + a.step + ": " + a.direction
                  + (a.value === null ? "" : " = " + fmt(a.value)) + (a.message ? " \\u2014 " + a.message : "");
                banner.dataset.direction = a.direction;
                banner.hidden = false;
              }
              if (timer === null) timer = setTimeout(redraw, 30);
            }

            const source = new EventSource("events");
            source.onopen = () => { document.getElementById("status").textContent = "live"; };
            source.onerror = () => {
              if (source.readyState !== EventSource.CLOSED) document.getElementById("status").textContent = "reconnecting";
            };
            source.onmessage = m => {
              const id = Number(m.lastEventId);
              if (id <= lastId) return;  // already seen (a reconnect replays from Last-Event-ID)
              lastId = id;
              const e = JSON.parse(m.data);
              onEvent(e);
              if (e.done !== null) {
                source.close();
                document.getElementById("status").textContent = "done: " + e.done;
              }
            };
            redraw();
            </script>
            </body>
            </html>
            """;
}
