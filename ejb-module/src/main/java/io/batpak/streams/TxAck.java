package io.batpak.streams;

import java.util.List;

/** The deliveries a transaction acks when it commits, all of one group. Immutable. */
public record TxAck(String stream, String group, List<String> deliveryIds) {
    public TxAck {
        deliveryIds = List.copyOf(deliveryIds);
    }
}
