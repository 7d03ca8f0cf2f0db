/** Keep at most `maxBytes` UTF-8 bytes of `text`: its head and tail, with the cut marked. */
export function capText(text, maxBytes) {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length <= maxBytes)
        return { text, truncated: false };
    const headBytes = Math.ceil(maxBytes / 2);
    const tailBytes = maxBytes - headBytes;
    // Decoding a slice cut mid-character yields U+FFFD; strip those edge artefacts.
    const head = bytes
        .subarray(0, headBytes)
        .toString('utf8')
        .replace(/\uFFFD+$/, '');
    const tail = bytes
        .subarray(bytes.length - tailBytes)
        .toString('utf8')
        .replace(/^\uFFFD+/, '');
    const dropped = bytes.length - Buffer.byteLength(head) - Buffer.byteLength(tail);
    return { text: `${head}\n[... ${dropped} bytes truncated ...]\n${tail}`, truncated: true };
}
//# sourceMappingURL=text-cap.js.map