package io.batpak.engine.upcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.batpak.engine.Coordinate;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.HlcTimestamp;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link Upcasters} against a model: a random set of (kind, from-version) steps is accepted exactly
 * when, per kind, the from-versions are 1..n once each; an accepted set delivers an event at
 * version v of a kind with n steps at version max(v, n + 1), having run exactly the steps v..n in
 * order, and keeps the stored hash.
 */
class UpcastersProperties {

    /** A step appending "|kind:from" to the payload, so the result lists the steps that ran. */
    static Upcaster tracing(int kind, int from) {
        return Upcaster.of(EventKind.of(1, kind), from, p -> (new String(p, StandardCharsets.UTF_8) + "|" + kind + ":" + from)
                .getBytes(StandardCharsets.UTF_8));
    }

    static StoredEvent event(int kind, int version) {
        byte[] hash = new byte[32];
        hash[0] = 7;
        return new StoredEvent(UUID.randomUUID(), new Coordinate("e", "s"), EventKind.of(1, kind), 0, 1, 0,
                new HlcTimestamp(0, 0), UUID.randomUUID(), null, 0, new byte[32], hash,
                "p".getBytes(StandardCharsets.UTF_8), null, Map.of(), version);
    }

    @Property(tries = 300)
    void aSetIsAcceptedExactlyWhenEveryKindsStepsRunFromOneWithoutGapOrDuplicate(
            @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 2) Integer> kinds,
            @ForAll @Size(max = 12) List<@IntRange(min = 1, max = 5) Integer> froms,
            @ForAll @IntRange(min = 0, max = 2) int probeKind, @ForAll @IntRange(min = 1, max = 7) int probeVersion) {
        int n = Math.min(kinds.size(), froms.size());
        List<Upcaster> steps = new ArrayList<>();
        Map<Integer, Set<Integer>> model = new HashMap<>();
        boolean duplicate = false;
        for (int i = 0; i < n; i++) {
            steps.add(tracing(kinds.get(i), froms.get(i)));
            duplicate |= !model.computeIfAbsent(kinds.get(i), k -> new HashSet<>()).add(froms.get(i));
        }
        boolean contiguous = model.values().stream().allMatch(s -> s.stream().mapToInt(Integer::intValue).max().orElse(0) == s.size());
        boolean valid = !duplicate && contiguous;
        Upcasters set;
        try {
            set = Upcasters.of(steps);
        } catch (StoreException e) {
            assertEquals(ErrorCode.INVALID_UPCASTERS, e.code(), e.getMessage());
            if (valid) {
                throw new AssertionError("a valid set " + model + " was refused: " + e.getMessage());
            }
            return;
        }
        if (!valid) {
            throw new AssertionError("an invalid set " + model + " (duplicate " + duplicate + ") was accepted: " + set);
        }
        int stepsOfKind = model.getOrDefault(probeKind, Set.of()).size();
        assertEquals(stepsOfKind + 1, set.currentVersion(EventKind.of(1, probeKind)), "current version of " + probeKind);
        StoredEvent stored = event(probeKind, probeVersion);
        StoredEvent current = set.current(stored);
        if (probeVersion > stepsOfKind) {
            assertSame(stored, current, "an event at or above the current version is delivered as stored");
            return;
        }
        StringBuilder expected = new StringBuilder("p");
        for (int v = probeVersion; v <= stepsOfKind; v++) {
            expected.append('|').append(probeKind).append(':').append(v);
        }
        assertEquals(expected.toString(), new String(current.payload(), StandardCharsets.UTF_8),
                "exactly the steps from the stored version on, in order");
        assertEquals(stepsOfKind + 1, current.payloadVersion(), "delivered at the current version");
        assertEquals(java.util.Arrays.toString(stored.hash()), java.util.Arrays.toString(current.hash()),
                "upcasting keeps the stored hash");
    }
}
