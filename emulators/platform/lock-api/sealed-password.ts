import { redeemTicket } from "../../../harness/protocol/lock-api/ticket.ts";
import type { LockApiDeps, LockCall } from "./lock-call.ts";

/** The fields that carry a password sealed under a ticket's key (seed, "Encrypt passwords"). */
export interface SealedPassword {
  ticket_id?: string;
  password: string;
}

/**
 * The digits of a password sealed under the call's ticket: the ticket checked (issued for this lock, to this client,
 * unused, unexpired) and the password opened and counted for the lock's kind (1109/1101 naming the field). The ticket
 * is used up only by `spend`, so that a request refused after this keeps it.
 */
export function openSealed(
  call: LockCall,
  deps: LockApiDeps,
  deviceId: string,
  sealed: SealedPassword,
): { digits: string; spend(): void } {
  const redeemed = redeemTicket(
    deps.tickets.state,
    {
      ticketId: sealed.ticket_id ?? "",
      deviceId,
      clientId: call.clientId,
      password: sealed.password,
      kind: deps.passwords.kindOf(deviceId),
    },
    call.now,
  );
  if (!redeemed.ok) throw redeemed.error;
  const { state, password } = redeemed.value;
  return {
    digits: password,
    spend: () => {
      deps.tickets.state = state;
    },
  };
}
