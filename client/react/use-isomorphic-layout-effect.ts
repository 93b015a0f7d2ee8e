import { useEffect, useLayoutEffect } from 'react';

/** useLayoutEffect in a browser, useEffect where there is no DOM (server rendering). */
export const useIsomorphicLayoutEffect =
  typeof document === 'undefined' ? useEffect : useLayoutEffect;
