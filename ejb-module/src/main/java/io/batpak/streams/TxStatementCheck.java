package io.batpak.streams;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.engine.gate.ClientAppends;

/**
 * The checks a transaction statement passes when it is added, so that a bad one is refused then
 * (and the transaction stays open) instead of aborting the whole transaction at commit: a stream
 * statement needs an existing stream and a client kind; an append may not carry an idempotency key
 * and must be a client append; no payload is larger than the store accepts. Stateless.
 */
final class TxStatementCheck {
    private TxStatementCheck() {
    }

    static void check(TxStatement statement, StreamRegistry registry, int maxPayloadBytes) {
        int payload;
        if (statement instanceof TxStatement.Publish p) {
            registry.require(StreamNames.checkStream(p.stream()));
            ClientAppends.checkKind(p.event().kind());
            payload = p.event().payload().length;
        } else {
            AppendRequest r = ((TxStatement.Append) statement).request();
            if (r.options().idempotencyKey() != null) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "idempotency keys apply to single appends only");
            }
            ClientAppends.check(r);
            payload = r.payloadLength();
        }
        if (payload > maxPayloadBytes) {
            throw new StoreException(ErrorCode.PAYLOAD_TOO_LARGE, "payload of " + payload
                    + " bytes exceeds the limit of " + maxPayloadBytes);
        }
    }
}
