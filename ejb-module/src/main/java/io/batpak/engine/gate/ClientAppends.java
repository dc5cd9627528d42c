package io.batpak.engine.gate;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;

import java.util.List;

/**
 * What a client may not append: the store keeps some kinds and entity names for its own
 * bookkeeping (streams, groups, and the layers built on them), and a client append that used them
 * could forge that bookkeeping. Every client path (HTTP, CloudEvents, batches, transactions, the
 * messaging channel, the CDI store bean) checks its requests here before anything is written; the
 * store's own layers write bookkeeping directly through {@link EventStore}. Stateless.
 *
 * <p>Reserved kinds: categories {@code 0x0} (system), {@code 0xD} (effects) and {@code 0xE}
 * (bookkeeping). Reserved entity names: those starting with one of {@link #RESERVED_ENTITY_PREFIXES},
 * including prefixes for layers still to come, so that adding them never reinterprets client data.
 */
public final class ClientAppends {
    /** Entity name prefixes the store uses for itself. */
    public static final List<String> RESERVED_ENTITY_PREFIXES = List.of("stream:", "group:", "pipeline:",
            "derivation:", "relay:", "ingest:", "retention:", "$");

    private ClientAppends() {
    }

    /** Whether a client may not append events of this kind. */
    public static boolean isReservedKind(EventKind kind) {
        return kind.isReserved() || kind.category() == EventKind.BOOKKEEPING_CATEGORY;
    }

    /** Whether an entity name belongs to the store's own bookkeeping. */
    public static boolean isReservedEntity(String entity) {
        for (String prefix : RESERVED_ENTITY_PREFIXES) {
            if (entity.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Refuses a reserved kind ({@link ErrorCode#RESERVED_KIND}). */
    public static void checkKind(EventKind kind) {
        if (isReservedKind(kind)) {
            throw new StoreException(ErrorCode.RESERVED_KIND, "kind " + kind + " is in category 0x"
                    + Integer.toHexString(kind.category()).toUpperCase() + ", which is reserved to the store");
        }
    }

    /** Refuses a reserved kind or entity name ({@link ErrorCode#RESERVED_ENTITY}). */
    public static void check(AppendRequest request) {
        checkKind(request.kind());
        if (isReservedEntity(request.coordinate().entity())) {
            throw new StoreException(ErrorCode.RESERVED_ENTITY, "entity names starting with one of "
                    + RESERVED_ENTITY_PREFIXES + " are reserved to the store: " + abbreviated(request.coordinate().entity()));
        }
    }

    /** Checks every request of a batch; the first reserved one refuses the whole batch. */
    public static void check(List<AppendRequest> requests) {
        for (AppendRequest r : requests) {
            check(r);
        }
    }

    private static String abbreviated(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
