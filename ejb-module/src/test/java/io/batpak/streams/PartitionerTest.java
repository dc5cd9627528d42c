package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Key placement is MurmurHash3 x86_32 (seed 0), so other clients can compute it too. */
class PartitionerTest {
    private static int hash(String s) {
        return Partitioner.murmur3(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void matchesPublishedMurmur3Vectors() {
        assertEquals(0, hash(""), "murmur3 of the empty key");
        assertEquals(0x248bfa47, hash("hello"), "murmur3 of 'hello'");
        assertEquals(0x2e4ff723, hash("The quick brown fox jumps over the lazy dog"), "murmur3 of the fox sentence");
    }

    @Test
    void partitionsAreWithinRangeForNegativeHashes() {
        for (int i = 0; i < 10_000; i++) {
            int p = Partitioner.partitionOf("key-" + i, 7);
            assertTrue(p >= 0 && p < 7, "key-" + i + " went to partition " + p + " of 7");
        }
    }
}
