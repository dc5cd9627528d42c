package io.batpak.engine.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The id lookup finds every event whether its id went in one at a time (live appends) or in the
 * bulk pass of a checkpoint load, in any mix of the two, and finds nothing for an unknown id.
 */
class IdTableProperties {

    @Property(tries = 60)
    void everyIdIsFoundWhicheverWayItWasInserted(@ForAll @IntRange(max = 20_000) int before,
                                                 @ForAll @IntRange(max = 20_000) int deferred,
                                                 @ForAll @IntRange(max = 5_000) int after, @ForAll long seed) {
        Random random = new Random(seed);
        StoreIndex index = new StoreIndex();
        EntityState e = index.entityOrCreate("e", "s");
        int total = before + deferred + after;
        long[][] ids = new long[total][];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < total; i++) {
            long hi;
            long lo;
            do {
                // UUIDv7-like: close timestamps in the high bits, so neighbours share most of them
                hi = (System.currentTimeMillis() + i / 100) << 16 | 0x7000 | random.nextInt(0x1000);
                lo = random.nextLong();
            } while (!seen.add(hi + ":" + lo));
            ids[i] = new long[] {hi, lo};
        }
        for (int i = 0; i < total; i++) {
            if (i == before) {
                index.reserve(deferred);
                index.deferIds();
            }
            if (i == before + deferred) {
                index.indexDeferredIds();
            }
            index.apply(ids[i][0], ids[i][1], e, 1, i, null, null, 0, 0);
        }
        index.indexDeferredIds();
        index.publish();
        for (int i = 0; i < total; i++) {
            assertEquals(i, index.find(ids[i][0], ids[i][1]), "event " + i + " of " + total + " (" + before + " one by one, "
                    + deferred + " in bulk, " + after + " one by one) not found at its index: see IdTable.insertAll");
        }
        assertEquals(-1, index.find(random.nextLong(), random.nextLong()), "an unknown id must not be found");
    }
}
