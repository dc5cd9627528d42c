package io.batpak.streams.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.Region;
import io.batpak.engine.util.Hex;
import io.batpak.streams.flow.FlowCodec.Source;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Pins the bytes of a derivation shard snapshot, format 1 (docs/FORMAT.md, "Derivation snapshots"):
 * the writer must still produce {@code golden/shard-snapshot-v1.hex}, the reader must decode it, and
 * the document must show it. If this fails after a change, the format changed: raise
 * {@link ShardSnapshot#FORMAT_VERSION} instead (old files are then ignored and rebuilt).
 */
class ShardSnapshotGoldenTest {
    private static final String GOLDEN = "/golden/shard-snapshot-v1.hex";

    private static ShardSnapshot.Content sample() {
        byte[] hash = new byte[32];
        for (int i = 0; i < 32; i++) {
            hash[i] = (byte) i;
        }
        Map<Source, Long> checkpoint = new LinkedHashMap<>();
        checkpoint.put(new Source("orders", 0), 5L);
        checkpoint.put(Shard.regionSource(Region.all().withScope("bank")), 43L);
        Map<String, byte[]> state = new LinkedHashMap<>();
        state.put("k1", "3,42".getBytes(StandardCharsets.UTF_8));
        return new ShardSnapshot.Content("totals", 2, 1, 7, hash, checkpoint, state);
    }

    private static String golden() throws IOException {
        try (InputStream in = ShardSnapshotGoldenTest.class.getResourceAsStream(GOLDEN)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void theWriterProducesTheGoldenBytes() throws IOException {
        assertEquals(golden().replaceAll("\\s", ""), Hex.encode(ShardSnapshot.encode(sample())),
                "shard snapshot bytes differ from " + GOLDEN);
    }

    @Test
    void theReaderDecodesTheGoldenBytes() throws IOException {
        ShardSnapshot.Content c = ShardSnapshot.decode(Hex.decode(golden().replaceAll("\\s", "")), "totals", 2, 1);
        ShardSnapshot.Content want = sample();
        assertEquals(7, c.sequence());
        assertArrayEquals(want.hash(), c.hash());
        assertEquals(want.checkpoint(), c.checkpoint());
        assertEquals(1, c.state().size());
        assertArrayEquals(want.state().get("k1"), c.state().get("k1"));
    }

    @Test
    void aSnapshotOfAnotherShardOrCountIsRefused() throws IOException {
        byte[] bytes = Hex.decode(golden().replaceAll("\\s", ""));
        assertThrows(IOException.class, () -> ShardSnapshot.decode(bytes, "totals", 2, 0), "another shard");
        assertThrows(IOException.class, () -> ShardSnapshot.decode(bytes, "totals", 3, 1), "another shard count");
        assertThrows(IOException.class, () -> ShardSnapshot.decode(bytes, "other", 2, 1), "another derivation");
    }

    @Test
    void formatDocumentShowsTheGoldenBytes() throws IOException {
        String text = Files.readString(Path.of("..", "docs", "FORMAT.md"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("### Example shard snapshot\\R(?:.*\\R)*?```\\R((?:.*\\R)*?)```").matcher(text);
        assertTrue(m.find(), "docs/FORMAT.md needs an '### Example shard snapshot' section with a hex block");
        assertEquals(golden().replaceAll("\\s", ""), m.group(1).replaceAll("\\s", ""),
                "the example shard snapshot in docs/FORMAT.md differs from " + GOLDEN);
    }
}
