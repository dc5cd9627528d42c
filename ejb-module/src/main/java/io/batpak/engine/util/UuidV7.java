package io.batpak.engine.util;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Generates RFC 9562 version 7 UUIDs: 48-bit Unix milliseconds, then random bits. Thread-safe. */
public final class UuidV7 {
    private UuidV7() {
    }

    /** A fresh UUIDv7 for the current time. */
    public static UUID next() {
        return at(System.currentTimeMillis());
    }

    /** A UUIDv7 for the given Unix milliseconds with random low bits. */
    public static UUID at(long unixMs) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = (unixMs & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (r.nextLong() & 0x0FFFL);
        long lo = (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(hi, lo);
    }
}
