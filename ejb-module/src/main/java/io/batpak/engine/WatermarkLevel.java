package io.batpak.engine;

/** A level an event reaches on its way into the store (see {@link Watermarks}). */
public enum WatermarkLevel {
    ACCEPTED, DURABLE, VISIBLE;

    /** The level named {@code text} (case-insensitive), or INVALID_REQUEST naming the choices. */
    public static WatermarkLevel parse(String text) {
        for (WatermarkLevel l : values()) {
            if (l.name().equalsIgnoreCase(text)) {
                return l;
            }
        }
        throw new StoreException(ErrorCode.INVALID_REQUEST, "a watermark level is accepted, durable or visible, not "
                + text);
    }
}
