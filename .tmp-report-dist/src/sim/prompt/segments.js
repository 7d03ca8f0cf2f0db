export function segment(kind, label, pieces, compaction = false) {
    return { kind, label, pieces, breakpoints: [], compaction };
}
//# sourceMappingURL=segments.js.map