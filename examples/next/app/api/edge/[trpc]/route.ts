import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createEdgeContext, edgeRouter } from '../../../../server/edge';

export const runtime = 'edge';

const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: '/api/edge',
    req,
    router: edgeRouter,
    createContext: createEdgeContext,
  });

export { handler as GET, handler as POST };
