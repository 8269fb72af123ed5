// Small browser helpers for Portal's pages: clipboard, a textarea's caret, and scrolling.

/** Copies text to the clipboard; falls back to a hidden textarea where the Clipboard API is unavailable (plain http). */
export async function copyText(text) {
    try {
        if (navigator.clipboard && window.isSecureContext) {
            await navigator.clipboard.writeText(text);
            return true;
        }
    } catch (e) { /* fall through */ }
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok;
}

/** Puts the caret of a textarea at 1-based line:column, selects to the end of that line, and scrolls it into view. */
export function jumpTo(textarea, line, column) {
    if (!textarea) return;
    const text = textarea.value;
    let offset = 0;
    for (let l = 1; l < line && offset < text.length; l++) {
        const nl = text.indexOf('\n', offset);
        if (nl < 0) { offset = text.length; break; }
        offset = nl + 1;
    }
    let end = text.indexOf('\n', offset);
    if (end < 0) end = text.length;
    const start = Math.min(offset + Math.max(0, column - 1), end);
    textarea.focus();
    textarea.setSelectionRange(start, end);
    const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
    const scroller = textarea.closest('.portal-code-scroll') || textarea;
    scroller.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

/** The caret position (character offset) of an input or textarea. */
export function caret(el) {
    return el ? (el.selectionStart ?? (el.value || '').length) : 0;
}
