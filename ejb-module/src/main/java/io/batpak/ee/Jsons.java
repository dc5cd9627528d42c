package io.batpak.ee;

import jakarta.json.spi.JsonProvider;

/**
 * The one JSON-P provider of the application, resolved once. The static {@code jakarta.json.Json}
 * factory methods look the provider up with a {@code ServiceLoader} scan of the whole class path on
 * every call, which load tests showed dominating the HTTP path (see docs/BENCHMARKS.md, "HTTP load
 * vs PostgreSQL"). Every JSON reader and builder in batpak comes from here. Thread-safe.
 */
public final class Jsons {
    /** The provider; its factories are thread-safe. */
    public static final JsonProvider JSON = JsonProvider.provider();

    private Jsons() {
    }
}
