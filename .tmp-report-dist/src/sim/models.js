export const SIM_MODELS = ['sim-1', 'sim-exact', 'gpt-5.6-sim'];
export function listModels(createdAt) {
    return {
        object: 'list',
        data: SIM_MODELS.map((id) => ({ id, object: 'model', created: createdAt, owned_by: 'turnbench-sim' })),
    };
}
//# sourceMappingURL=models.js.map