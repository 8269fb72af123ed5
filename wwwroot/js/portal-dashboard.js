// Dashboard panels drawn by Apache ECharts (the bundle comes from the Vizor.ECharts NuGet package, loaded by
// portal-charts.js) and the panel grid's drag and resize. The .NET side owns the dashboard model; this module only
// draws and reports grid moves.
import { ensureECharts, chartOf, decodeChart, datasetOf } from './portal-charts.js';

// ---- units (the subset of Grafana's unit ids the editor offers; others are written as a suffix) ----

const SI = ['', ' k', ' M', ' G', ' T', ' P', ' E'];
const SI_SMALL = ['', ' m', ' µ', ' n', ' p'];

function fixed(v, decimals) {
    if (decimals !== null && decimals !== undefined) return v.toFixed(decimals);
    const a = Math.abs(v);
    const d = a === 0 ? 0 : a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
    return (Math.round(v * Math.pow(10, d)) / Math.pow(10, d)).toString();
}

function scaled(v, base, suffixes, decimals, unitSuffix) {
    let i = 0;
    let x = v;
    while (Math.abs(x) >= base && i < suffixes.length - 1) { x /= base; i++; }
    return fixed(x, decimals) + suffixes[i] + (unitSuffix || '');
}

function duration(v, unitMs, decimals) {
    let ms = v * unitMs;
    const a = Math.abs(ms);
    if (a < 1e-3) return fixed(ms * 1e6, decimals) + ' ns';
    if (a < 1) return fixed(ms * 1e3, decimals) + ' µs';
    if (a < 1000) return fixed(ms, decimals) + ' ms';
    if (a < 60000) return fixed(ms / 1000, decimals) + ' s';
    if (a < 3600000) return fixed(ms / 60000, decimals) + ' min';
    if (a < 86400000) return fixed(ms / 3600000, decimals) + ' hour';
    return fixed(ms / 86400000, decimals) + ' day';
}

/** Formats a value with a Grafana unit id, as the .NET UnitFormat does. */
export function formatUnit(v, unit, decimals) {
    if (v === null || v === undefined || Number.isNaN(v)) return '';
    if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
    switch (unit || 'short') {
        case 'none': return fixed(v, decimals);
        case 'short': return Math.abs(v) < 1000 ? fixed(v, decimals) : scaled(v, 1000, [' ', ' K', ' Mil', ' Bil', ' Tri'], decimals).replace('  ', ' ');
        case 'percent': return fixed(v, decimals) + '%';
        case 'percentunit': return fixed(v * 100, decimals) + '%';
        case 'bytes': return scaled(v, 1024, [' B', ' KiB', ' MiB', ' GiB', ' TiB', ' PiB'], decimals);
        case 'decbytes': return scaled(v, 1000, [' B', ' kB', ' MB', ' GB', ' TB', ' PB'], decimals);
        case 'bits': return scaled(v, 1024, [' b', ' Kib', ' Mib', ' Gib', ' Tib'], decimals);
        case 'decbits': return scaled(v, 1000, [' b', ' kb', ' Mb', ' Gb', ' Tb'], decimals);
        case 'Bps': case 'binBps': return scaled(v, 1024, [' B/s', ' KiB/s', ' MiB/s', ' GiB/s', ' TiB/s'], decimals);
        case 'decBps': return scaled(v, 1000, [' B/s', ' kB/s', ' MB/s', ' GB/s', ' TB/s'], decimals);
        case 'bps': case 'binbps': return scaled(v, 1024, [' b/s', ' Kib/s', ' Mib/s', ' Gib/s'], decimals);
        case 'decbps': return scaled(v, 1000, [' b/s', ' kb/s', ' Mb/s', ' Gb/s'], decimals);
        case 'ns': return duration(v, 1e-6, decimals);
        case 'µs': case 'us': return duration(v, 1e-3, decimals);
        case 'ms': return duration(v, 1, decimals);
        case 's': return duration(v, 1000, decimals);
        case 'm': return duration(v, 60000, decimals);
        case 'h': return duration(v, 3600000, decimals);
        case 'd': return duration(v, 86400000, decimals);
        case 'reqps': return fixed(v, decimals) + ' req/s';
        case 'ops': return fixed(v, decimals) + ' ops/s';
        case 'hertz': return scaled(v, 1000, [' Hz', ' kHz', ' MHz', ' GHz'], decimals);
        case 'celsius': return fixed(v, decimals) + ' °C';
        default: return fixed(v, decimals) + ' ' + unit;
    }
}

const NAMED = { green: '#73bf69', red: '#f2495c', orange: '#ff9830', yellow: '#fade2a', blue: '#5794f2', purple: '#b877d9',
    'dark-green': '#37872d', 'dark-red': '#c4162a', 'dark-orange': '#fa6400', 'dark-yellow': '#e0b400', 'dark-blue': '#1f60c4',
    'semi-dark-green': '#56a64b', 'semi-dark-red': '#e02f44', 'semi-dark-orange': '#ff780a', 'semi-dark-yellow': '#f2cc0c',
    'light-green': '#96d98d', 'light-red': '#ff7383', 'light-orange': '#ffb357', 'light-yellow': '#ffee52', text: '#ccccdc',
    transparent: 'transparent' };

/** Grafana's named colours to CSS. */
export function color(c) { return NAMED[c] || c; }

function cssVar(name, fallback) {
    const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
}

function stats() {
    if (!window.portalDashboardStats) window.portalDashboardStats = { draws: 0, drawMs: 0, firstStart: null, lastEnd: null, series: 0, ends: [] };
    return window.portalDashboardStats;
}


function escapeHtml(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;'); }

/**
 * Draws a time-series panel. p: { start, end, chart (the binary payload portal-charts.js decodes into series: [{ name,
 * color, t: Float64Array of ms, v: Float64Array of values, NaN for gaps }]),
 * unit, decimals, min, max, drawStyle ('line'|'bars'|'points'), stack ('none'|'normal'|'percent'), fillOpacity (0..100),
 * lineWidth, spanNulls, interpolation, thresholds: [{ value, color }], thresholdsStyle, hidden: [names], axisLabel }.
 * dotnet (optional) receives OnZoomAsync(startMs, endMs) after a drag over the plot. extras (optional): { fields, annotations }
 * as applyFieldConfig and applyAnnotations take them.
 */
export async function renderTimeSeries(el, p, dotnet, extras) {
    await ensureECharts();
    const begin = performance.now();
    const st = stats();
    if (st.firstStart === null) st.firstStart = begin;
    p.series = decodeChart(p.chart);
    const chart = chartOf(el);
    const text = cssVar('--mud-palette-text-primary', '#333');
    const lines = cssVar('--mud-palette-lines-default', '#ccc');
    const stackMode = p.stack || 'none';
    const bars = p.drawStyle === 'bars';
    const pointsStyle = p.drawStyle === 'points';
    const hidden = new Set(p.hidden || []);
    let totals = null;
    if (stackMode === 'percent') {
        totals = new Map();
        for (const s of p.series) for (let i = 0; i < s.v.length; i++) {
            const t = s.t[i];
            totals.set(t, (totals.get(t) || 0) + Math.abs(s.v[i] || 0));
        }
    }
    let lo = Infinity, hi = -Infinity;
    // Down-sampling only pays when a series has more points than the plot has pixels.
    const sample = (el.clientWidth || 800) * 2;
    // Each series reads its own dataset of typed arrays, which setOption neither copies nor turns into a [time, value]
    // array per point.
    const datasets = [];
    const series = p.series.map(s => {
        const values = totals ? new Float64Array(s.v.length).fill(NaN) : s.v;
        let points = 0;
        for (let i = 0; i < s.v.length; i++) {
            let v = s.v[i];
            if (Number.isNaN(v)) continue;
            if (totals) { const sum = totals.get(s.t[i]); v = sum === 0 ? 0 : (v / sum) * 100; values[i] = v; }
            points++; if (v < lo) lo = v; if (v > hi) hi = v;
        }
        datasets.push(datasetOf(s.t, values));
        // Like Grafana's "auto" points: a series with few points shows them, so a lone sample is visible.
        const sparse = points <= 30;
        return {
            name: s.name,
            type: bars ? 'bar' : pointsStyle ? 'scatter' : 'line',
            datasetIndex: datasets.length - 1,
            encode: { x: 't', y: 'v' },
            color: s.color,
            showSymbol: pointsStyle || sparse,
            symbol: pointsStyle || sparse ? 'circle' : 'none',
            symbolSize: 4,
            sampling: bars || pointsStyle || s.v.length <= sample ? undefined : 'minmax',
            connectNulls: !!p.spanNulls,
            step: p.interpolation === 'stepAfter' ? 'end' : p.interpolation === 'stepBefore' ? 'start' : false,
            smooth: p.interpolation === 'smooth',
            lineStyle: { width: p.lineWidth ?? 1 },
            stack: stackMode !== 'none' ? 'A' : undefined,
            areaStyle: (p.fillOpacity || 0) > 0 && !bars ? { opacity: p.fillOpacity / 100 } : undefined,
            barMaxWidth: 12,
            large: bars,
            emphasis: { disabled: true },
            animation: false,
            silent: false,
        };
    });
    const thresholds = (p.thresholds || []).filter(t => t.value !== null && t.value !== undefined);
    const style = p.thresholdsStyle || 'off';
    if (series.length > 0 && style !== 'off' && thresholds.length > 0) {
        const first = series[0];
        if (style.includes('line') || style === 'dashed') {
            first.markLine = { silent: true, symbol: 'none', label: { show: false }, animation: false,
                data: thresholds.map(t => ({ yAxis: t.value, lineStyle: { color: color(t.color), type: style === 'dashed' ? 'dashed' : 'solid', width: 1 } })) };
        }
        if (style.includes('area')) {
            const bands = [];
            for (let i = 0; i < thresholds.length; i++) {
                const next = thresholds[i + 1];
                bands.push([{ yAxis: thresholds[i].value, itemStyle: { color: color(thresholds[i].color), opacity: 0.12 } }, { yAxis: next ? next.value : (p.max ?? 'max') }]);
            }
            first.markArea = { silent: true, animation: false, data: bands };
        }
    }
    const unit = stackMode === 'percent' ? 'percent' : p.unit;
    // Axis labels get enough decimals to tell ticks apart (about five ticks over the data's range), unless set.
    let axisDecimals = p.decimals;
    if ((axisDecimals === null || axisDecimals === undefined) && Number.isFinite(lo) && hi > lo && (!unit || unit === 'short' || unit === 'none' || unit === 'percent')) {
        axisDecimals = Math.max(0, Math.min(6, 1 - Math.floor(Math.log10((hi - lo) / 5))));
    }
    const selected = {};
    for (const s of p.series) selected[s.name] = !hidden.has(s.name);
    const option = {
        animation: false,
        backgroundColor: 'transparent',
        textStyle: { color: text },
        grid: { left: 8, right: 16, top: dotnet ? 24 : 12, bottom: 8, containLabel: true },
        legend: { show: false, selected: selected },
        tooltip: {
            trigger: 'axis', confine: true, axisPointer: { type: 'line', animation: false },
            formatter: (params) => {
                if (!params || params.length === 0) return '';
                const rows = params.filter(x => Number.isFinite(x.value[1])).sort((a, b) => b.value[1] - a.value[1]);
                let html = '<div style="font-size:12px"><b>' + new Date(params[0].value[0]).toISOString().replace('T', ' ').replace('.000Z', 'Z') + '</b>';
                for (const r of rows.slice(0, 15)) html += '<div>' + r.marker + escapeHtml(r.seriesName) + ': <b>' + formatUnit(r.value[1], unit, p.decimals) + '</b></div>';
                if (rows.length > 15) html += '<div>… and ' + (rows.length - 15) + ' more</div>';
                return html + '</div>';
            },
        },
        // The zoom tool is what turns a drag over the plot into a time range; it shows only when zoom is wired.
        toolbox: { show: !!dotnet, right: 8, top: 0, itemSize: 12, iconStyle: { borderColor: text }, feature: { dataZoom: { yAxisIndex: 'none' } } },
        xAxis: { type: 'time', min: p.start, max: p.end, axisLine: { lineStyle: { color: lines } }, axisLabel: { color: text, hideOverlap: true }, splitLine: { show: false } },
        yAxis: {
            type: p.log ? 'log' : 'value', min: p.min ?? undefined, max: p.max ?? (stackMode === 'percent' ? 100 : undefined), scale: p.min === null || p.min === undefined,
            name: p.axisLabel || undefined, nameLocation: 'middle', nameGap: 48, nameTextStyle: { color: text },
            axisLabel: { color: text, formatter: v => formatUnit(v, unit, axisDecimals), hideOverlap: true },
            splitLine: { lineStyle: { color: lines, opacity: 0.5 } },
        },
        dataset: datasets,
        series: series,
    };
    applyFieldConfig(option, extras && extras.fields, p);
    applyAnnotations(option, extras && extras.annotations);
    el.dataset.annotations = String((extras && extras.annotations || []).length);
    chart.setOption(option, { notMerge: true, lazyUpdate: false });
    chart.dispatchAction({ type: 'takeGlobalCursor', key: 'dataZoomSelect', dataZoomSelectActive: !!dotnet });
    chart.off('datazoom');
    if (dotnet) {
        chart.on('datazoom', (e) => {
            const b = (e.batch && e.batch[0]) || e;
            if (b.startValue !== undefined && b.endValue !== undefined) dotnet.invokeMethodAsync('OnZoomAsync', Math.round(b.startValue), Math.round(b.endValue));
        });
    }
    const end = performance.now();
    el.dataset.series = String(series.length);
    el.dataset.drawMs = (end - begin).toFixed(1);
    st.draws++;
    st.drawMs += end - begin;
    st.series += series.length;
    st.lastEnd = end;
    st.ends.push(end);
}

// ---- field config: value mappings, per-series overrides, annotations ----

function jsRegex(pattern) {
    const m = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
    try { return m ? new RegExp(m[1], m[2].replace(/[^imsu]/g, '')) : new RegExp('^(?:' + pattern + ')$'); } catch { return null; }
}

/**
 * Grafana's value mappings for one value: the first of value (text key), range (from ≤ v ≤ to), regex (on the value's
 * text) and special (null, nan, null+nan) that matches gives { text, color }; null when none does.
 */
export function mapValue(v, mappings) {
    if (!mappings) return null;
    for (const m of mappings) {
        const o = m.options || {};
        switch (m.type) {
            case 'value':
                if (v !== null && v !== undefined && o[String(v)]) return o[String(v)];
                break;
            case 'range': {
                if (v === null || v === undefined || Number.isNaN(v)) break;
                const from = o.from ?? null, to = o.to ?? null;
                if (from === null && to === null) break;
                if ((from === null || v >= from) && (to === null || v <= to)) return o.result || {};
                break;
            }
            case 'regex': {
                if (v === null || v === undefined || !o.pattern) break;
                const re = jsRegex(o.pattern);
                const text = String(v);
                if (re && re.test(text)) {
                    const r = o.result || {};
                    return r.text !== undefined && r.text !== null ? { ...r, text: text.replace(re, r.text) } : r;
                }
                break;
            }
            case 'special': {
                const isNull = v === null || v === undefined, isNaN = typeof v === 'number' && Number.isNaN(v);
                if ((o.match === 'null' && isNull) || (o.match === 'nan' && isNaN) || (o.match === 'null+nan' && (isNull || isNaN))) return o.result || {};
                break;
            }
        }
    }
    return null;
}

/** A value as a series' field config shows it: a mapping's text, else the value in the series' unit. */
function displayText(v, f, p) {
    const mapped = f ? mapValue(v, f.mappings) : null;
    if (mapped && mapped.text !== undefined && mapped.text !== null) return mapped.text;
    return formatUnit(v, f && f.unit !== undefined ? (f.unit || p.unit) : p.unit, f && f.decimals !== null && f.decimals !== undefined ? f.decimals : p.decimals);
}

/**
 * Applies each series' effective field config (fields[i] for series i: color, unit, decimals, min, max, axis
 * ('right' puts it on a second y axis), drawStyle, fillOpacity, lineWidth, stack, stackGroup, hideTooltip, mappings)
 * to an ECharts option built by renderTimeSeries, and makes the tooltip show mapped values.
 */
export function applyFieldConfig(option, fields, p) {
    if (!fields || fields.length === 0) return;
    const series = option.series;
    let right = null;
    for (let i = 0; i < series.length && i < fields.length; i++) {
        const f = fields[i], s = series[i];
        if (f.color) s.color = color(f.color);
        const bars = f.drawStyle === 'bars', points = f.drawStyle === 'points';
        s.type = bars ? 'bar' : points ? 'scatter' : 'line';
        if (points) { s.showSymbol = true; s.symbol = 'circle'; }
        s.lineStyle = { width: f.lineWidth ?? 1 };
        if (f.lineWidth === 0 && !bars) { s.showSymbol = true; s.symbol = 'circle'; }
        s.areaStyle = (f.fillOpacity || 0) > 0 && !bars ? { opacity: f.fillOpacity / 100 } : undefined;
        if ((p.stack || 'none') !== 'percent') s.stack = f.stack && f.stack !== 'none' ? (f.stackGroup || 'A') + (f.axis === 'right' ? ':right' : '') : undefined;
        if (f.axis === 'right') {
            s.yAxisIndex = 1;
            if (!right) right = f;
        }
    }
    if (right) {
        const left = Array.isArray(option.yAxis) ? option.yAxis[0] : option.yAxis;
        const unit = right.unit || p.unit;
        option.yAxis = [left, {
            ...left, position: 'right', name: undefined, min: right.min ?? undefined, max: right.max ?? undefined, scale: right.min === null || right.min === undefined,
            splitLine: { show: false },
            axisLabel: { ...left.axisLabel, formatter: v => formatUnit(v, unit, right.decimals ?? undefined) },
        }];
        option.grid = { ...option.grid, right: 16 };
        if (option.toolbox) option.toolbox = { ...option.toolbox, right: 56 };
    }
    option.tooltip.formatter = (params) => {
        if (!params || params.length === 0) return '';
        const rows = params.filter(x => Number.isFinite(x.value[1]) && !(fields[x.seriesIndex] && fields[x.seriesIndex].hideTooltip))
            .sort((a, b) => b.value[1] - a.value[1]);
        let html = '<div style="font-size:12px"><b>' + new Date(params[0].value[0]).toISOString().replace('T', ' ').replace('.000Z', 'Z') + '</b>';
        for (const r of rows.slice(0, 15)) html += '<div>' + r.marker + escapeHtml(r.seriesName) + ': <b>' + escapeHtml(displayText(r.value[1], fields[r.seriesIndex], p)) + '</b></div>';
        if (rows.length > 15) html += '<div>… and ' + (rows.length - 15) + ' more</div>';
        return html + '</div>';
    };
}

/**
 * Draws annotation events ([{ time, timeEnd, title, text, tags, color }]) on a time-series option: a point as a
 * dashed vertical line, a region as a shaded band, both on a series of their own so hiding data series keeps them.
 */
export function applyAnnotations(option, annotations) {
    if (!annotations || annotations.length === 0) return;
    const lines = [], areas = [];
    for (const a of annotations) {
        const label = [a.title, a.text, (a.tags || []).join(', ')].filter(x => x).join(' · ');
        if (a.timeEnd > a.time) {
            areas.push([{ xAxis: a.time, name: label, itemStyle: { color: a.color, opacity: 0.15 } }, { xAxis: a.timeEnd }]);
        } else {
            lines.push({ xAxis: a.time, name: label, lineStyle: { color: a.color, type: 'dashed', width: 1 } });
        }
    }
    option.series = option.series.concat([{
        name: '__annotations', type: 'line', data: [], silent: false, tooltip: { show: true, trigger: 'item', formatter: x => escapeHtml(x.name || '') },
        markLine: lines.length ? { symbol: 'none', animation: false, label: { show: false }, emphasis: { label: { show: true, formatter: x => x.name, position: 'insideEndTop' } }, data: lines } : undefined,
        markArea: areas.length ? { animation: false, label: { show: false }, emphasis: { label: { show: true, formatter: x => x.name, position: 'insideTop' } }, data: areas } : undefined,
    }]);
}

/** Shows or hides one series of a time-series panel. */
export function toggleSeries(el, name, visible) {
    const chart = window.echarts && window.echarts.getInstanceByDom(el);
    if (chart) chart.dispatchAction({ type: visible ? 'legendSelect' : 'legendUnSelect', name: name });
}

/** A small area sparkline for a stat panel. p: { t0, step, v: [...], color }. */
export async function renderSparkline(el, p) {
    await ensureECharts();
    const chart = chartOf(el);
    chart.setOption({
        animation: false, grid: { left: 0, right: 0, top: 0, bottom: 0 },
        xAxis: { type: 'time', show: false }, yAxis: { type: 'value', show: false, scale: true },
        series: [{ type: 'line', data: p.v.map((v, i) => [p.t0 + i * p.step, v]), symbol: 'none', lineStyle: { width: 1, color: color(p.color) },
            areaStyle: { opacity: 0.2, color: color(p.color) }, sampling: 'lttb', silent: true }],
    }, { notMerge: true });
    el.dataset.series = '1';
}

/** Gauges for a gauge panel. p: { items: [{ name, value, text (optional, a mapping's), color (optional) }], min, max, unit, decimals, thresholds: [{ value, color }], showMarkers }. */
export async function renderGauge(el, p) {
    await ensureECharts();
    const chart = chartOf(el);
    const text = cssVar('--mud-palette-text-primary', '#333');
    const min = p.min ?? 0, max = p.max ?? 100;
    const steps = (p.thresholds || []).slice().sort((a, b) => (a.value ?? -Infinity) - (b.value ?? -Infinity));
    const stops = [];
    for (let i = 0; i < steps.length; i++) {
        const next = steps[i + 1];
        const upTo = next ? Math.min(Math.max((next.value - min) / (max - min), 0), 1) : 1;
        stops.push([upTo, color(steps[i].color)]);
    }
    if (stops.length === 0) stops.push([1, '#73bf69']);
    const colorAt = (v) => { let c = steps.length ? steps[0].color : 'green'; for (const s of steps) if (s.value === null || s.value === undefined || v >= s.value) c = s.color; return color(c); };
    const n = Math.max(1, p.items.length);
    const cols = Math.ceil(Math.sqrt(n));
    const rows = Math.ceil(n / cols);
    const series = p.items.map((it, i) => {
        const col = i % cols, row = Math.floor(i / cols);
        return {
            type: 'gauge', min: min, max: max, radius: (90 / Math.max(cols, rows)) + '%',
            center: [((col + 0.5) / cols * 100) + '%', ((row + 0.6) / rows * 100) + '%'],
            startAngle: 210, endAngle: -30,
            progress: { show: true, width: 12, itemStyle: { color: it.color ? color(it.color) : colorAt(it.value) } },
            axisLine: { lineStyle: { width: p.showMarkers === false ? 12 : 14, color: p.showMarkers === false ? [[1, 'rgba(128,128,128,0.2)']] : stops } },
            pointer: { show: false }, axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false },
            title: { show: n > 1, offsetCenter: [0, '70%'], color: text, fontSize: 12 },
            detail: { valueAnimation: false, offsetCenter: [0, '10%'], color: it.color ? color(it.color) : colorAt(it.value), fontSize: 20, formatter: v => it.text ?? formatUnit(v, p.unit, p.decimals) },
            data: [{ value: it.value, name: it.name }],
            animation: false,
        };
    });
    chart.setOption({ animation: false, series: series }, { notMerge: true });
    el.dataset.series = String(series.length);
}

export function dispose(el) {
    if (!el) return;
    if (el.__portalResize) { el.__portalResize.disconnect(); el.__portalResize = null; }
    const chart = window.echarts && window.echarts.getInstanceByDom(el);
    if (chart) chart.dispose();
}

// ---- grid: drag a panel by its header, resize by its corner; report the new cell position to .NET ----

/**
 * Enables moving and resizing in grid el (24 columns, rows of rowHeight px with gap px). Panels are children with
 * data-panel-id; drag starts on [data-drag-handle], resize on [data-resize-handle]. dotnet receives
 * OnPanelMovedAsync(id, x, y, w, h) in grid cells when the pointer is released.
 */
export function enableGrid(el, dotnet, rowHeight, gap) {
    disableGrid(el);
    const onDown = (e) => {
        const handle = e.target.closest('[data-drag-handle],[data-resize-handle]');
        if (!handle || !el.contains(handle) || e.button !== 0) return;
        if (e.target.closest('button,a,input,.mud-menu')) return;
        const panel = handle.closest('[data-panel-id]');
        if (!panel) return;
        e.preventDefault();
        const resize = handle.hasAttribute('data-resize-handle');
        const rect = el.getBoundingClientRect();
        const colWidth = (rect.width + gap) / 24;
        const start = { x: e.clientX, y: e.clientY };
        const pos = { x: +panel.dataset.x, y: +panel.dataset.y, w: +panel.dataset.w, h: +panel.dataset.h };
        panel.classList.add('portal-grid-moving');
        let next = { ...pos };
        const move = (ev) => {
            const dx = ev.clientX - start.x, dy = ev.clientY - start.y;
            const dc = Math.round(dx / colWidth), dr = Math.round(dy / (rowHeight + gap));
            if (resize) {
                next = { x: pos.x, y: pos.y, w: Math.min(24 - pos.x, Math.max(1, pos.w + dc)), h: Math.max(1, pos.h + dr) };
                panel.style.gridColumn = (next.x + 1) + ' / span ' + next.w;
                panel.style.gridRow = (next.y + 1) + ' / span ' + next.h;
            } else {
                next = { x: Math.min(24 - pos.w, Math.max(0, pos.x + dc)), y: Math.max(0, pos.y + dr), w: pos.w, h: pos.h };
                panel.style.transform = 'translate(' + dx + 'px,' + dy + 'px)';
            }
        };
        const up = () => {
            window.removeEventListener('pointermove', move);
            window.removeEventListener('pointerup', up);
            panel.classList.remove('portal-grid-moving');
            panel.style.transform = '';
            if (next.x !== pos.x || next.y !== pos.y || next.w !== pos.w || next.h !== pos.h) {
                dotnet.invokeMethodAsync('OnPanelMovedAsync', +panel.dataset.panelId, next.x, next.y, next.w, next.h);
            }
        };
        window.addEventListener('pointermove', move);
        window.addEventListener('pointerup', up);
    };
    el.addEventListener('pointerdown', onDown);
    el.__portalGrid = onDown;
}

export function disableGrid(el) {
    if (el && el.__portalGrid) { el.removeEventListener('pointerdown', el.__portalGrid); el.__portalGrid = null; }
}

/** Starts a download of text as a file (dashboard export). */
export function download(fileName, text) {
    const blob = new Blob([text], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = fileName;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
