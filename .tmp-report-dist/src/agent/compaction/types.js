/** The user and developer messages that open the conversation, before any model output. */
export function leadingMessages(items) {
    const out = [];
    for (const item of items) {
        if (!isInputMessage(item))
            break;
        out.push(item);
    }
    return out;
}
function isInputMessage(item) {
    return 'role' in item && (item.role === 'user' || item.role === 'developer' || item.role === 'system');
}
//# sourceMappingURL=types.js.map