package io.batpak.engine.audit;

import io.batpak.engine.Coordinate;
import io.batpak.engine.util.Hex;

/**
 * What an export holds of one entity's chain: its first exported sequence and the prev hash that
 * event links to (sequence 0 and 32 zero bytes for a whole chain), and its last sequence and hash.
 * Signed in the trailer, so an export can be cut neither at the front nor at the end of a chain.
 * Immutable.
 */
public record ChainHead(Coordinate coordinate, long fromSequence, byte[] fromPrevHash, long lastSequence,
                        byte[] lastHash) {
    public ChainHead {
        fromPrevHash = fromPrevHash.clone();
        lastHash = lastHash.clone();
    }

    @Override
    public byte[] fromPrevHash() {
        return fromPrevHash.clone();
    }

    @Override
    public byte[] lastHash() {
        return lastHash.clone();
    }

    /** Appends this head as a trailer array element. */
    void appendJson(StringBuilder b) {
        Json.string(b.append("{\"scope\":"), coordinate.scope()).append(",\"entity\":");
        Json.string(b, coordinate.entity()).append(",\"from\":").append(fromSequence)
                .append(",\"from_prev\":\"").append(Hex.encode(fromPrevHash)).append("\",\"seq\":").append(lastSequence)
                .append(",\"hash\":\"").append(Hex.encode(lastHash)).append("\"}");
    }

    /** Whether both describe the same chain range with the same hashes. */
    boolean sameAs(ChainHead o) {
        return coordinate.equals(o.coordinate) && fromSequence == o.fromSequence && lastSequence == o.lastSequence
                && java.util.Arrays.equals(fromPrevHash, o.fromPrevHash) && java.util.Arrays.equals(lastHash, o.lastHash);
    }

    @Override
    public String toString() {
        return coordinate + " " + fromSequence + ".." + lastSequence + " " + Hex.encode(lastHash);
    }
}
