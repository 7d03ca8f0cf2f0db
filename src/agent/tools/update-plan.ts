import * as z from 'zod';
import { defineTool } from './define-tool.js';
import { success } from './types.js';

const PlanItemSchema = z
  .object({
    step: z.string().min(1).describe('A short description of the step.'),
    status: z.enum(['pending', 'in_progress', 'completed']).describe('The status of the step.'),
  })
  .strict();

const UpdatePlanArgs = z
  .object({
    explanation: z.string().optional().describe('Optional note on what changed in the plan and why.'),
    plan: z.array(PlanItemSchema).describe('The full list of steps, in order.'),
  })
  .strict()
  .refine((args) => args.plan.filter((item) => item.status === 'in_progress').length <= 1, {
    path: ['plan'],
    message: 'at most one step can be in_progress',
  });

export const updatePlanTool = defineTool({
  name: 'update_plan',
  description:
    'Updates the task plan. Send the full list of steps each time, each with a status; at most one ' +
    'step can be in_progress at a time.',
  schema: UpdatePlanArgs,
  async handler(args, ctx) {
    ctx.state.plan = args.plan.map((item) => ({ step: item.step, status: item.status }));
    return success('Plan updated');
  },
});
