// Time-series charts for the Explore page, drawn by Apache ECharts (delivered by the Vizor.ECharts
// NuGet package as a static asset). One chart per element; the .NET side owns the data and sends it
// compactly (see decodeChart). Hovering is ours, in the DOM over the canvas, so it never redraws the plot.
const bundle = '_content/Vizor.ECharts/js/vizor-echarts-bundle-min.js';
let loading = null;

export function ensureECharts() {
    if (window.echarts) return Promise.resolve();
    if (!loading) {
        loading = new Promise((resolve, reject) => {
            const s = document.createElement('script');
            s.src = bundle;
            s.onload = () => resolve();
            s.onerror = () => { loading = null; reject(new Error('could not load the chart library from ' + bundle)); };
            document.head.appendChild(s);
        });
    }
    return loading;
}

/** Starts loading the chart library without waiting for it. */
export function preload() {
    ensureECharts().catch(() => { /* render reports it */ });
}

const gridLeft = 60, gridRight = 24;

/** The width in CSS pixels of the plot area render will draw on el. */
export function plotWidth(el) {
    return Math.max(50, Math.round((el.clientWidth || 800) - gridLeft - gridRight));
}

function float64(bytes) {
    if (!bytes) return null;
    // A view needs an 8-byte aligned offset; the received bytes may sit anywhere in the message buffer.
    const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
    return new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8);
}

/**
 * Decodes a chart payload (ChartPayload in .NET): { grids: [{ start, step, count }], series: [{ name, color, grid,
 * offset, length, timeOffset }], values: bytes, times: bytes|null, downsampled }. values holds every line's values as
 * little-endian doubles (NaN for gaps), times the times of lines without a grid (grid -1).
 * Returns [{ name, color, grid: { start, step, count }|null, t: Float64Array (ms), v: Float64Array }]; lines on
 * one grid share one t array.
 */
export function decodeChart(c) {
    const values = float64(c.values) || new Float64Array(0);
    const times = float64(c.times);
    const gridTimes = c.grids.map(g => {
        const t = new Float64Array(g.count);
        for (let i = 0; i < g.count; i++) t[i] = g.start + i * g.step;
        return t;
    });
    return c.series.map(s => ({
        name: s.name,
        color: s.color,
        grid: s.grid >= 0 ? c.grids[s.grid] : null,
        t: s.grid >= 0 ? gridTimes[s.grid] : times.subarray(s.timeOffset, s.timeOffset + s.length),
        v: values.subarray(s.offset, s.offset + s.length),
    }));
}

/**
 * An ECharts dataset reading times t and values v (typed arrays). It is marked so that setOption, which deep-copies
 * options, keeps it as it is instead of copying both arrays: nothing else holds or changes them.
 */
export function datasetOf(t, v) {
    const source = { t, v };
    window.echarts.zrUtil.setAsPrimitive(source);
    return { source, dimensions: ['t', 'v'] };
}

function cssVar(name, fallback) {
    const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
}

function formatValue(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return 'NaN';
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
    return (Math.round(v * 1000) / 1000).toString();
}

/** The ECharts instance drawn on el, created (and kept sized to el) on first use. ECharts must be loaded. */
export function chartOf(el) {
    let chart = window.echarts.getInstanceByDom(el);
    if (!chart) {
        chart = window.echarts.init(el, null, { renderer: 'canvas' });
        const ro = new ResizeObserver(() => { chart.resize(); if (el.__portalResized) el.__portalResized(); });
        ro.observe(el);
        el.__portalResize = ro;
    }
    return chart;
}

/**
 * Draws a chart on el. payload: { chart (see decodeChart), stacked, startMs, endMs }. dotnet (optional) receives
 * OnZoomAsync(startMs, endMs) after the user drags a range on the plot, and OnPlotResizedAsync(width) when the plot's
 * width changed by more than a tenth (the data may have been reduced for the old width).
 */
export async function render(el, payload, dotnet) {
    const entered = performance.now();
    await ensureECharts();
    const loaded = performance.now();
    const chart = chartOf(el);
    const text = cssVar('--mud-palette-text-primary', '#333');
    const lines = cssVar('--mud-palette-lines-default', '#ccc');
    const stacked = !!payload.stacked;
    const data = decodeChart(payload.chart);
    // One dataset per line over typed arrays: ECharts reads them without a [time, value] array per point.
    const datasets = data.map(l => datasetOf(l.t, l.v));
    const series = data.map((l, i) => ({
        name: l.name,
        type: 'line',
        datasetIndex: i,
        encode: { x: 't', y: 'v' },
        color: l.color,
        showSymbol: false,
        symbol: 'none',
        // Lines the server reduced already hold each pixel's extremes; others keep theirs if ECharts thins them.
        sampling: l.grid ? 'minmax' : undefined,
        connectNulls: false,
        lineStyle: { width: 1.5 },
        stack: stacked ? 'total' : undefined,
        areaStyle: stacked ? { opacity: 0.35 } : undefined,
        emphasis: { disabled: true },
        silent: true,
    }));
    const converted = performance.now();
    chart.setOption({
        animation: false,
        backgroundColor: 'transparent',
        textStyle: { color: text },
        grid: { left: gridLeft, right: gridRight, top: 30, bottom: 30 },
        legend: { show: false },
        toolbox: { show: true, right: 10, iconStyle: { borderColor: text }, feature: { dataZoom: { yAxisIndex: 'none' } } },
        xAxis: { type: 'time', min: payload.startMs, max: payload.endMs, axisLine: { lineStyle: { color: lines } }, axisLabel: { color: text }, splitLine: { show: false } },
        yAxis: { type: 'value', scale: !stacked, axisLabel: { color: text, formatter: formatValue }, splitLine: { lineStyle: { color: lines, opacity: 0.5 } } },
        dataset: datasets,
        series: series,
    }, { notMerge: true, lazyUpdate: false });
    // Drag on the plot selects a time range to zoom into (no need to pick the toolbox tool first).
    chart.dispatchAction({ type: 'takeGlobalCursor', key: 'dataZoomSelect', dataZoomSelectActive: true });
    chart.off('datazoom');
    if (dotnet) {
        chart.on('datazoom', (e) => {
            const b = (e.batch && e.batch[0]) || e;
            if (b.startValue !== undefined && b.endValue !== undefined) {
                dotnet.invokeMethodAsync('OnZoomAsync', Math.round(b.startValue), Math.round(b.endValue));
            }
        });
    }
    const hover = hoverOf(el, chart);
    hover.lines = data;
    hover.stacked = stacked;
    hover.hidden = new Set();
    hover.hide();
    hover.restyle();
    let reported = plotWidth(el);
    el.__portalResized = dotnet ? () => {
        const w = plotWidth(el);
        if (Math.abs(w - reported) > reported / 10) {
            reported = w;
            dotnet.invokeMethodAsync('OnPlotResizedAsync', w);
        }
    } : null;
    const drawn = performance.now();
    window.portalChartStats = { entered, loadMs: loaded - entered, convertMs: converted - loaded, setOptionMs: drawn - converted, drawn, painted: null };
    requestAnimationFrame(() => { window.portalChartStats.painted = performance.now(); });
    el.dataset.series = String(series.length);
}

// ---- hover: a cursor line, a dot on the nearest line and a tooltip of the lines nearest the pointer ----

/** Lines listed in the tooltip at most: the ones nearest the pointer. */
const TooltipLines = 10;

function escapeHtml(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;'); }

/** Index of the point of line l nearest time t: arithmetic on a grid, binary search on explicit times. */
function nearestIndex(l, t) {
    const n = l.v.length;
    if (n === 0) return -1;
    if (l.grid) return Math.min(n - 1, Math.max(0, Math.round((t - l.grid.start) / l.grid.step)));
    let lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (l.t[mid] <= t) lo = mid; else hi = mid;
    }
    return Math.abs(l.t[hi] - t) < Math.abs(t - l.t[lo]) ? hi : lo;
}

function hoverOf(el, chart) {
    if (el.__portalHover) { el.__portalHover.chart = chart; return el.__portalHover; }
    if (getComputedStyle(el).position === 'static') el.style.position = 'relative';
    const layer = (css) => {
        const d = document.createElement('div');
        d.style.cssText = 'position:absolute;pointer-events:none;display:none;z-index:2;' + css;
        el.appendChild(d);
        return d;
    };
    const cursor = layer('top:30px;bottom:30px;width:0;border-left-width:1px;border-left-style:dashed;opacity:0.6');
    const dot = layer('width:8px;height:8px;border-radius:50%;border-width:2px;border-style:solid;margin:-6px 0 0 -6px');
    const tip = layer('font-size:12px;line-height:1.5;padding:6px 8px;border-radius:4px;max-width:60%;white-space:nowrap;overflow:hidden;'
        + 'border-width:1px;border-style:solid;box-shadow:0 2px 8px rgba(0,0,0,0.2)');
    tip.dataset.testid = 'chart-tooltip';
    const h = {
        chart, lines: [], stacked: false, hidden: new Set(), x: 0, y: 0, pending: false,
        hide() { cursor.style.display = dot.style.display = tip.style.display = 'none'; },
        /** Takes the theme's colours (called on every draw, so a theme switch shows at the next one). */
        restyle() {
            const text = cssVar('--mud-palette-text-primary', '#333');
            const surface = cssVar('--mud-palette-surface', '#fff');
            cursor.style.borderLeftColor = text;
            dot.style.borderColor = surface;
            tip.style.background = surface;
            tip.style.color = text;
            tip.style.borderColor = cssVar('--mud-palette-lines-default', '#ccc');
        },
    };
    const update = () => {
        h.pending = false;
        const r = el.getBoundingClientRect();
        const x = h.x - r.left, y = h.y - r.top;
        const c = h.chart;
        if (c.isDisposed() || !c.containPixel('grid', [x, y])) { h.hide(); return; }
        const [t, yv] = c.convertFromPixel('grid', [x, y]);
        const rows = [];
        let base = 0;
        for (const l of h.lines) {
            if (h.hidden.has(l.name)) continue;
            const i = nearestIndex(l, t);
            if (i < 0) continue;
            const v = l.v[i];
            if (Number.isNaN(v)) continue;
            base = h.stacked ? base + v : v;
            rows.push({ l, v, y: base, t: l.t[i], d: Math.abs(base - yv) });
        }
        if (rows.length === 0) { h.hide(); return; }
        let nearest = rows[0];
        for (const row of rows) if (row.d < nearest.d) nearest = row;
        const shown = rows.length <= TooltipLines ? rows : rows.slice().sort((a, b) => a.d - b.d).slice(0, TooltipLines);
        shown.sort((a, b) => b.y - a.y);
        const [px, py] = c.convertToPixel('grid', [nearest.t, nearest.y]);
        let html = '<b>' + new Date(nearest.t).toISOString().replace('T', ' ').replace('.000Z', 'Z') + '</b>';
        for (const row of shown) {
            const swatch = '<span style="display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:6px;background:' + row.l.color + '"></span>';
            const name = escapeHtml(row.l.name);
            html += '<div>' + swatch + (row === nearest ? '<b>' + name + ': ' + formatValue(row.v) + '</b>' : name + ': <b>' + formatValue(row.v) + '</b>') + '</div>';
        }
        if (rows.length > shown.length) html += '<div>… ' + (rows.length - shown.length) + ' more lines at this time; the nearest are listed</div>';
        tip.innerHTML = html;
        cursor.style.left = px + 'px';
        cursor.style.display = 'block';
        dot.style.left = px + 'px';
        dot.style.top = py + 'px';
        dot.style.background = nearest.l.color;
        dot.style.display = 'block';
        tip.style.display = 'block';
        const w = tip.offsetWidth, hgt = tip.offsetHeight;
        const left = px + 16 + w <= el.clientWidth ? px + 16 : Math.max(0, px - 16 - w);
        tip.style.left = left + 'px';
        tip.style.top = Math.max(0, Math.min(y + 16, el.clientHeight - hgt)) + 'px';
    };
    el.addEventListener('mousemove', (e) => {
        h.x = e.clientX;
        h.y = e.clientY;
        if (!h.pending) { h.pending = true; requestAnimationFrame(update); }
    });
    el.addEventListener('mouseleave', () => h.hide());
    el.__portalHover = h;
    return h;
}

/** Shows or hides one series (the legend lives in the page, outside the canvas). */
export function toggle(el, name) {
    const chart = window.echarts && window.echarts.getInstanceByDom(el);
    if (chart) chart.dispatchAction({ type: 'legendToggleSelect', name: name });
    const h = el.__portalHover;
    if (h && !h.hidden.delete(name)) h.hidden.add(name);
}

export function dispose(el) {
    if (el && el.__portalResize) { el.__portalResize.disconnect(); el.__portalResize = null; }
    if (el) { el.__portalResized = null; el.__portalHover = null; }
    const chart = window.echarts && el && window.echarts.getInstanceByDom(el);
    if (chart) chart.dispose();
}
