// Time-series charts for the Explore page, drawn by Apache ECharts (delivered by the Vizor.ECharts
// NuGet package as a static asset). One chart per element; the .NET side owns the data.
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

function tooltipFormatter(params) {
    if (!params || params.length === 0) return '';
    const t = new Date(params[0].value[0]);
    const rows = params.slice().sort((x, y) => (y.value[1] ?? 0) - (x.value[1] ?? 0));
    const shown = rows.slice(0, 15);
    let html = '<div style="font-size:12px"><b>' + t.toISOString().replace('T', ' ').replace('.000Z', 'Z') + '</b>';
    for (const p of shown) {
        const name = String(p.seriesName).replace(/&/g, '&amp;').replace(/</g, '&lt;');
        html += '<div>' + p.marker + name + ': <b>' + formatValue(p.value[1]) + '</b></div>';
    }
    if (rows.length > shown.length) html += '<div>… and ' + (rows.length - shown.length) + ' more</div>';
    return html + '</div>';
}

/** The ECharts instance drawn on el, created (and kept sized to el) on first use. ECharts must be loaded. */
export function chartOf(el) {
    let chart = window.echarts.getInstanceByDom(el);
    if (!chart) {
        chart = window.echarts.init(el, null, { renderer: 'canvas' });
        const ro = new ResizeObserver(() => chart.resize());
        ro.observe(el);
        el.__portalResize = ro;
    }
    return chart;
}

/**
 * Draws series on el. payload: { series: [{ name, color, t: [ms...], v: [value|null...] }], stacked, startMs, endMs }.
 * dotnet (optional) receives OnZoom(startMs, endMs) after the user drags a range on the plot.
 */
export async function render(el, payload, dotnet) {
    await ensureECharts();
    const chart = chartOf(el);
    const text = cssVar('--mud-palette-text-primary', '#333');
    const lines = cssVar('--mud-palette-lines-default', '#ccc');
    const stacked = !!payload.stacked;
    const series = payload.series.map(s => ({
        name: s.name,
        type: 'line',
        data: s.t.map((t, i) => [t, s.v[i]]),
        color: s.color,
        showSymbol: false,
        symbol: 'none',
        sampling: 'lttb',
        connectNulls: false,
        lineStyle: { width: 1.5 },
        stack: stacked ? 'total' : undefined,
        areaStyle: stacked ? { opacity: 0.35 } : undefined,
        emphasis: { disabled: true },
        progressive: 2000,
        progressiveThreshold: 5000,
    }));
    chart.setOption({
        animation: false,
        backgroundColor: 'transparent',
        textStyle: { color: text },
        grid: { left: 60, right: 24, top: 30, bottom: 30 },
        legend: { show: false },
        toolbox: { show: true, right: 10, iconStyle: { borderColor: text }, feature: { dataZoom: { yAxisIndex: 'none' } } },
        tooltip: { trigger: 'axis', confine: true, formatter: tooltipFormatter, axisPointer: { type: 'line', animation: false } },
        xAxis: { type: 'time', min: payload.startMs, max: payload.endMs, axisLine: { lineStyle: { color: lines } }, axisLabel: { color: text }, splitLine: { show: false } },
        yAxis: { type: 'value', scale: !stacked, axisLabel: { color: text, formatter: formatValue }, splitLine: { lineStyle: { color: lines, opacity: 0.5 } } },
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
    el.dataset.series = String(series.length);
}

/** Shows or hides one series (the legend lives in the page, outside the canvas). */
export function toggle(el, name) {
    const chart = window.echarts && window.echarts.getInstanceByDom(el);
    if (chart) chart.dispatchAction({ type: 'legendToggleSelect', name: name });
}

export function dispose(el) {
    if (el && el.__portalResize) { el.__portalResize.disconnect(); el.__portalResize = null; }
    const chart = window.echarts && el && window.echarts.getInstanceByDom(el);
    if (chart) chart.dispose();
}
