import { useEffect, useEffectEvent } from 'react';
import type { BridgeEventName, BridgeEvents } from '../../contract/events';
import { useApp } from './use-app';

/** Subscribes to a bridge event for the component's lifetime. */
export function useBridgeEvent<E extends BridgeEventName>(
  event: E,
  handler: (payload: BridgeEvents[E]) => void,
): void {
  const { client } = useApp();
  const onEvent = useEffectEvent(handler);
  useEffect(() => client.on(event, (payload) => onEvent(payload)), [client, event]);
}
