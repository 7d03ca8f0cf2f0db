export function emptyView() {
    return {
        userTexts: [],
        lastUserText: null,
        callIds: [],
        lastToolOutput: null,
        assistantTexts: [],
        compactions: [],
    };
}
//# sourceMappingURL=conversation.js.map