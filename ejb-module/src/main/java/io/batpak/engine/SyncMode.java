package io.batpak.engine;

/** When the writer forces committed bytes to stable storage. */
public enum SyncMode {
    /** fsync every group commit before any caller of that group is answered (the default). */
    EVERY_COMMIT,
    /** fsync at most every {@code syncIntervalMs}; callers are answered once written. */
    INTERVAL,
    /** never fsync except at sync(), segment rotation and close; callers are answered once written. */
    NEVER;

    /** Parses the configuration spelling: {@code every-commit}, {@code interval}, {@code never}. */
    public static SyncMode parse(String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "every-commit", "every_commit" -> EVERY_COMMIT;
            case "interval" -> INTERVAL;
            case "never" -> NEVER;
            default -> throw new StoreException(ErrorCode.INVALID_REQUEST,
                    "sync mode must be every-commit, interval or never, was '" + text + "'");
        };
    }
}
