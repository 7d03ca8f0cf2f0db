import type { Model } from 'openai/resources/models';

export const SIM_MODELS = ['sim-1', 'sim-exact', 'gpt-5.6-sim'] as const;

export function listModels(createdAt: number): { object: 'list'; data: Model[] } {
  return {
    object: 'list',
    data: SIM_MODELS.map((id) => ({ id, object: 'model', created: createdAt, owned_by: 'turnbench-sim' })),
  };
}
