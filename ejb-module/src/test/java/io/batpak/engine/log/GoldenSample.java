package io.batpak.engine.log;

import java.nio.charset.StandardCharsets;

/** The fixed event behind the golden files and the example in docs/FORMAT.md. */
public final class GoldenSample {
    private GoldenSample() {
    }

    public static LogRecord record() {
        LogRecord r = new LogRecord();
        r.idHi = 0x0193_5a2c_0000_7000L;
        r.idLo = 0x8000_0000_0000_0001L;
        r.entity = "player:alice";
        r.scope = "room:dungeon";
        r.kind = 0xF001;
        r.sequence = 0;
        r.globalSequence = 1;
        r.timestampUs = 1_763_800_000_000_000L;
        r.hlcMs = 1_763_800_000_000L;
        r.hlcCounter = 0;
        r.corrHi = r.idHi;
        r.corrLo = r.idLo;
        r.flags = 0;
        r.payload = "{\"x\":10}".getBytes(StandardCharsets.UTF_8);
        return r;
    }
}
