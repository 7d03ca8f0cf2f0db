export const noCompaction = {
    name: 'none',
    serverThreshold: undefined,
    afterTurn: async () => null,
};
//# sourceMappingURL=none.js.map